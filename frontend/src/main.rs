//! Mounts the app; everything else is in the library.

fn main() {
    tiendo_frontend::start();
}
