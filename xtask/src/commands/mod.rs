//! One module per `cargo xtask` subcommand, each with a `plan` function that decides
//! (reading the machine, changing nothing) and returns the steps for the executor.

pub mod ci;
pub mod cli;
pub mod doctor;
pub mod image;
pub mod kind_load;
pub mod local_bin;
pub mod ui;
