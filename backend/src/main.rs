//! The `tiendo` command: see `tiendo --help`.

fn main() -> std::process::ExitCode {
    tiendo_backend::cli::main()
}
