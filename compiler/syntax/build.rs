//! Generates the parser from the one grammar file, `grammar/mix.lalrpop`, into OUT_DIR.

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    println!("cargo:rerun-if-changed=../../grammar/mix.lalrpop");
    if let Err(error) = lalrpop::Configuration::new()
        .set_out_dir(out_dir)
        .emit_rerun_directives(false)
        .process_file("../../grammar/mix.lalrpop")
    {
        eprintln!("grammar/mix.lalrpop: {error}");
        std::process::exit(1);
    }
}
