//! `kms-emulator [OPTIONS]`: see `cli::USAGE` and README.md.

use kms_emulator::cli::{self, Parsed, USAGE};
use kms_emulator::listener::Capped;
use kms_emulator::server::{Emulator, Options, router};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

#[tokio::main]
async fn main() {
    let args = match cli::parse(std::env::args().skip(1)) {
        Ok(Parsed::Run(a)) => a,
        Ok(Parsed::Help) => {
            println!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("kms-emulator: {e}");
            std::process::exit(2);
        }
    };
    let seed = args.seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
    });
    let em = match Emulator::new(
        &args.scenario,
        Options {
            time_scale: args.time_scale,
            skew_ms: args.skew_seconds.saturating_mul(1000),
            seed,
            faults: args.faults.clone(),
            trust: args.trust(),
        },
    ) {
        Ok(em) => Arc::new(em),
        Err(e) => {
            eprintln!("kms-emulator: {e}");
            std::process::exit(2);
        }
    };
    if !args.addr.ip().is_loopback() {
        eprintln!(
            "kms-emulator: warning: listening on {}, reachable from other machines; the demo credentials are public",
            args.addr
        );
    }
    if args.trust().any_origin() {
        eprintln!(
            "kms-emulator: warning: --allow-origin *: any web page may call the emulator and read its demo credentials"
        );
    }
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kms-emulator: cannot listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(args.addr);
    // Scripts wait for this exact line; the URL is the first space-delimited word after "on".
    println!(
        "kms-emulator listening on http://{addr} (region {}, {} stores, {} clusters, time scale {}, clock skew {} s, seed {seed})",
        em.region,
        em.store_count(),
        em.cluster_count(),
        args.time_scale,
        args.skew_seconds
    );
    for rule in em.fault_rules() {
        println!("kms-emulator fault: {rule}");
    }
    let serve = axum::serve(Capped::new(listener, args.max_connections), router(em));
    // No graceful drain: a hung request would hold Ctrl-C for up to two minutes.
    tokio::select! {
        result = serve => {
            if let Err(e) = result {
                eprintln!("kms-emulator: {e}");
                std::process::exit(1);
            }
        }
        _ = tokio::signal::ctrl_c() => {}
    }
}
