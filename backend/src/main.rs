//! The `tiendo` command: see `tiendo --help`.

/// The allocator (see its entry in Cargo.toml for why not glibc's).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    tiendo_backend::cli::main()
}
