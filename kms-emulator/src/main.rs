//! `kms-emulator [--addr HOST:PORT] [--scenario FILE] [--time-scale F] [--clock-skew-seconds N]`

use kms_emulator::scenario::{DEFAULT, Scenario};
use kms_emulator::server::{Emulator, router};
use std::net::SocketAddr;
use std::sync::Arc;

const USAGE: &str = "usage: kms-emulator [--addr HOST:PORT] [--scenario FILE] [--time-scale F] [--clock-skew-seconds N]
  --addr                 where to listen (default 127.0.0.1:4599)
  --scenario FILE        stores and credentials (default: the built-in demo scenario)
  --time-scale F         emulated seconds per real second (default 1; 60 runs a 20-minute connect in 20 s)
  --clock-skew-seconds N shift the emulator's clock by N seconds (its Date header and signature checks)";

struct Args {
    addr: SocketAddr,
    scenario: Scenario,
    time_scale: f64,
    skew_seconds: i64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:4599"
            .parse()
            .map_err(|_| "bad default address")?,
        scenario: Scenario::parse(DEFAULT)?,
        time_scale: 1.0,
        skew_seconds: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--addr" => args.addr = value()?.parse().map_err(|e| format!("--addr: {e}"))?,
            "--scenario" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("--scenario {path}: {e}"))?;
                args.scenario = Scenario::parse(&text)?;
            }
            "--time-scale" => {
                args.time_scale = value()?.parse().map_err(|e| format!("--time-scale: {e}"))?;
                if !(args.time_scale > 0.0 && args.time_scale.is_finite()) {
                    return Err("--time-scale must be a positive number".into());
                }
            }
            "--clock-skew-seconds" => {
                args.skew_seconds = value()?
                    .parse()
                    .map_err(|e| format!("--clock-skew-seconds: {e}"))?
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("kms-emulator: {e}");
            std::process::exit(2);
        }
    };
    let em = Arc::new(Emulator::new(
        &args.scenario,
        args.time_scale,
        args.skew_seconds * 1000,
    ));
    let listener = match tokio::net::TcpListener::bind(args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kms-emulator: cannot listen on {}: {e}", args.addr);
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(args.addr);
    println!(
        "kms-emulator listening on http://{addr} (region {}, {} stores, time scale {}, clock skew {} s)",
        em.region,
        em.store_count(),
        args.time_scale,
        args.skew_seconds
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, router(em))
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("kms-emulator: {e}");
        std::process::exit(1);
    }
}
