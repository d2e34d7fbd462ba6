//! Start-up: open the database, start the worker, create the bootstrap admin, build the server.

use std::net::TcpListener;

use crate::app::{self, accounts, App};
use crate::config::Settings;
use crate::db::Db;
use crate::mail::transport::Transport;
use crate::worker;
use actix_web::dev::Server;

/// A running service: its address and the server future to await.
pub struct Running {
    pub addr: std::net::SocketAddr,
    pub server: Server,
    /// The outbox worker; it stops when this is dropped.
    pub mail_worker: worker::Worker,
    /// The transport, so tests using `memory://` can read what was sent.
    pub transport: Transport,
}

/// Opens the database, applies the bootstrap admin, binds and builds the server.
pub fn build(settings: &Settings, workers: usize) -> Result<Running, String> {
    let db = Db::open_sized(&settings.database, settings.db_pool)?;
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let transport = Transport::from_settings(settings.smtp_url.as_deref(), &settings.data_dir)?;
    tracing::info!(transport = %transport.describe(), "mail");
    let signal = app::outbox::Signal::default();
    let metrics = std::sync::Arc::new(crate::metrics::Metrics::new());
    let reads = std::sync::Arc::new(app::processing::Reads::default());
    let mail_worker = worker::spawn(
        db.clone(),
        transport.clone(),
        worker::Settings {
            from: settings.mail_from.clone(),
            public_url: settings.public_url.clone(),
            retention: settings.retention,
            attachments: settings.data_dir.join("attachments"),
            reads: reads.clone(),
        },
        signal.clone(),
        metrics.clone(),
    );
    let app = App::new(db, signal, &settings.public_url)
        .with_metrics(metrics, settings.metrics_token.as_deref())
        .with_grants(settings.payer.clone(), &settings.data_dir)
        .with_guard(settings.throttle, settings.trusted_proxies.clone())
        .with_form_key(&settings.jwt_secret)
        .with_staff_mfa(settings.staff_mfa)
        .with_sso(settings.oidc.clone())
        .with_privacy(settings.retention, settings.privacy_contact.clone())
        .with_reads(reads);
    if settings.staff_mfa == crate::domain::second_factor::StaffMfa::Off {
        tracing::warn!(
            "PLANLOKET_STAFF_MFA=off: staff sign in without a second factor; only for tests and the demo"
        );
    }
    bootstrap_admin(&app, settings)?;
    let api = crate::http::Api::new(&settings.jwt_secret, settings.staff_mfa);
    let server = crate::server::server(app, api, listener, workers).map_err(|e| e.to_string())?;
    Ok(Running {
        addr,
        server,
        mail_worker,
        transport,
    })
}

/// Creates the admin named by `PLANLOKET_ADMIN_EMAIL`/`_PASSWORD` if no user has that address.
pub fn bootstrap_admin(app: &App, settings: &Settings) -> Result<(), String> {
    let (Some(email), Some(password)) = (&settings.admin_email, &settings.admin_password) else {
        return Ok(());
    };
    if accounts::bootstrap_admin(app, email, password)? {
        tracing::info!("created the bootstrap admin account");
    }
    Ok(())
}
