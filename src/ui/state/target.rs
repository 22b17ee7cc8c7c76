//! Where requests go: region, endpoint URLs, endpoint options, and the hosts outside AWS the
//! user allowed in this tab.

use crate::aws::endpoint::{
    Endpoint, Variant, cloudhsm_endpoint, monitoring_endpoint, resolve, url_host,
};
use crate::aws::trust::Service;
use crate::console::watch::Place;
use crate::web::client::Shared;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Target {
    pub region: RwSignal<String>,
    pub endpoint_url: RwSignal<String>,
    /// An Endpoint URL a link set, not yet confirmed by the user: nothing is sent there.
    pub pending_endpoint: RwSignal<Option<String>>,
    /// Where CloudHSM calls go when it is not the region's CloudHSM endpoint (optional).
    pub cloudhsm_url: RwSignal<String>,
    pub fips: RwSignal<bool>,
    pub dual_stack: RwSignal<bool>,
    /// Hosts outside AWS's endpoints the user allowed in this tab (each client gets them).
    pub confirmed_hosts: RwSignal<Vec<String>>,
    /// The host whose confirmation dialog is open.
    pub confirm_host: RwSignal<Option<String>>,
    /// The clock offsets and rate limiter every client shares.
    shared: StoredValue<Shared, LocalStorage>,
}

impl Target {
    pub(super) fn new() -> Self {
        Self {
            region: RwSignal::new("us-east-1".to_string()),
            endpoint_url: RwSignal::new(String::new()),
            pending_endpoint: RwSignal::new(None),
            cloudhsm_url: RwSignal::new(String::new()),
            fips: RwSignal::new(false),
            dual_stack: RwSignal::new(false),
            confirmed_hosts: RwSignal::new(Vec::new()),
            confirm_host: RwSignal::new(None),
            shared: StoredValue::new_local(Shared::default()),
        }
    }

    pub fn shared(&self) -> Shared {
        self.shared.get_value()
    }

    /// The host of an Endpoint URL a link set and the user has not confirmed yet.
    pub fn pending_host(&self) -> Option<String> {
        let pending = self.pending_endpoint.get_untracked()?;
        // Typed over by the user: their own choice now.
        (pending.trim() == self.endpoint_url.get_untracked().trim())
            .then(|| url_host(&pending).unwrap_or(pending))
    }

    /// Where the form points now (for a new watch), or the first thing that stops it.
    pub fn place(&self) -> Result<Place, String> {
        if let Some(host) = self.pending_host() {
            return Err(format!(
                "the link set Endpoint URL to {host}, and nothing is sent there until you confirm it (Endpoint, \"Use {host}\")."
            ));
        }
        let region = self.region.get_untracked().trim().to_string();
        let custom_url = self.endpoint_url.get_untracked().trim().to_string();
        let variant = self.variant_untracked();
        let endpoint = resolve(&region, variant, Some(&custom_url)).map_err(|e| e.to_string())?;
        Ok(Place {
            region,
            custom_url,
            variant,
            endpoint,
        })
    }

    /// CloudHSM v2 in the same region: its own endpoint, the CloudHSM endpoint URL, or a
    /// loopback Endpoint URL (the emulator serves every service on one port).
    pub fn cloudhsm(&self) -> Result<Endpoint, String> {
        self.place()?;
        cloudhsm_endpoint(
            &self.region.get_untracked(),
            self.fips.get_untracked(),
            Some(&self.endpoint_url.get_untracked()),
            Some(&self.cloudhsm_url.get_untracked()),
        )
        .map_err(|e| e.to_string())
    }

    /// CloudWatch (`monitoring`) in the same region, or a loopback Endpoint URL (the emulator
    /// serves every service on one port).
    pub fn monitoring(&self) -> Result<Endpoint, String> {
        let place = self.place()?;
        monitoring_endpoint(&place.region, place.variant, Some(&place.custom_url), None)
            .map_err(|e| e.to_string())
    }

    /// Points the form where a watch lives; true if that is elsewhere (the list read there
    /// is not this one).
    pub fn go_to(&self, place: &Place) -> bool {
        let moved = self.place().ok().map(|p| p.endpoint) != Some(place.endpoint.clone());
        if moved {
            self.region.set(place.region.clone());
            self.endpoint_url.set(place.custom_url.clone());
            self.fips.set(place.variant.fips);
            self.dual_stack.set(place.variant.dual_stack);
        }
        // A watch's place was confirmed when the watch began.
        self.pending_endpoint.set(None);
        moved
    }

    /// Allows signed requests to `host` in this tab (the user confirmed it in the dialog).
    pub fn allow_host(&self, host: &str) {
        self.confirmed_hosts.update(|h| {
            if !h.iter().any(|x| x == host) {
                h.push(host.to_string());
            }
        });
    }

    /// The host of `url` if signed requests for `service` need the user's confirmation to go
    /// there and have not had it (tracked).
    pub fn unconfirmed_host(&self, url: &str, service: Service) -> Option<String> {
        let url = crate::aws::endpoint::parse_custom_url(url.trim()).ok()?;
        let host = crate::aws::trust::needs_confirmation(&url, service, self.region.get().trim())?;
        (!self.confirmed_hosts.with(|h| h.contains(&host))).then_some(host)
    }

    fn variant_untracked(&self) -> Variant {
        Variant {
            fips: self.fips.get_untracked(),
            dual_stack: self.dual_stack.get_untracked(),
        }
    }

    /// The endpoint options, tracked (for views).
    pub fn variant(&self) -> Variant {
        Variant {
            fips: self.fips.get(),
            dual_stack: self.dual_stack.get(),
        }
    }
}
