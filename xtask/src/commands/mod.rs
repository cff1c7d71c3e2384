//! One module per `cargo xtask` subcommand, each with a `plan` function that decides
//! (reading the machine, changing nothing) and returns the steps for the executor.

pub mod cli;
pub mod local_bin;
pub mod ui;
