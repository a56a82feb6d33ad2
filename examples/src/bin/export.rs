//! Writes every example program to the directory given as the only argument.

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: gear-examples-export <directory>");
        std::process::exit(2);
    };
    let dir = std::path::PathBuf::from(dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(1);
    }
    for (name, code) in gear_examples::all() {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, &code) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
        println!("{} ({} bytes)", path.display(), code.len());
    }
}
