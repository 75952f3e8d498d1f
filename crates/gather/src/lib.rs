//! Step 3, "gather information": the evidence bundle and what goes into it.
//! [`bundle`] writes, packs and verifies a bundle (every file hashed into its
//! manifest, the manifest's hash recorded in the case); [`logins`] reads the login
//! records (wtmp, btmp, utmp, lastlog), [`bodyfile`] writes the filesystem timeline
//! in the Sleuth Kit's format, and [`live`] reads the volatile state of a running
//! host (processes, sockets, routes, neighbours, mounts, kernel modules).

pub mod acquisition;
pub mod artifacts;
pub mod av;
pub mod bodyfile;
pub mod bundle;
mod collect;
mod error;
pub mod iocs;
pub mod live;
pub mod logins;
pub mod phishing;
pub mod report;

pub use collect::{Gathered, Options, gather};
pub use error::GatherError;
