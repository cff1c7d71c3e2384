mod version;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version" | "-V" | "version") => println!("{}", version::long()),
        _ => {
            eprintln!("usage: noetl [--version]");
            std::process::exit(2);
        }
    }
}
