//! The Dutch web front, one of the two front doors: server-rendered pages for residents,
//! partners, the programme team, the board and the admin. Pages call the use cases of
//! `crate::app` directly (never the API over HTTP, never the storage layer), ask
//! `domain::permission` who may see a page or a button (no role checks of their own), render
//! askama templates (`templates/web`), work without JavaScript, and are styled with the NL
//! Design System CSS served from `/static`. A post goes through the kit (`kit::Post`,
//! `kit::write`).

pub mod account;
pub mod admin;
pub mod admin_users;
pub mod applicant;
pub mod assets;
pub mod assignments;
pub mod attachments;
pub mod board;
pub mod co_applicants;
pub mod conversation;
pub mod error;
pub mod form;
pub mod grants;
pub mod kit;
pub mod my_account;
pub mod my_plans;
pub mod payments;
pub mod plan_attachments;
pub mod plan_form;
pub mod plan_page;
pub mod plenary;
pub mod public;
pub mod review;
pub mod round_form;
pub mod rounds;
pub mod scoring;
pub mod session;
pub mod single_sign_on;
pub mod submitting;
pub mod team;
pub mod two_step;
pub mod worklist;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

pub use error::WebError;
pub use session::{Pending, Visitor};

use crate::app::cache::CounterCache;
use crate::app::plans::PageKey;
use crate::domain::permission::Menu;

/// The pages' paths, Dutch and stable (people bookmark them); see WEB.md.
pub fn mount(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            // A query that does not read is a Dutch page, not the parser's text.
            .app_data(web::QueryConfig::default().error_handler(error::bad_query))
            // The pages asked most first: actix tries each route's pattern in order, and
            // these would otherwise be matched after twenty-odd others (docs/BENCHMARKS.md).
            .route("/mijn-plannen", web::get().to(my_plans::my_plans))
            .route("/plannen/{id}", web::get().to(plan_page::plan_page))
            .route("/beoordelen", web::get().to(worklist::work_list))
            .route("/bestuur", web::get().to(board::agenda))
            .route("/rondes/{id}/overzicht", web::get().to(public::overview))
            .route(
                "/rondes/{id}/overzicht.csv",
                web::get().to(public::overview_csv),
            )
            .route(
                "/rondes/{id}/overzicht/afdrukken",
                web::get().to(public::overview_print),
            )
            .route("/", web::get().to(public::home))
            .route("/begrippen", web::get().to(public::glossary))
            .route("/privacy", web::get().to(public::privacy))
            .route("/static/{version}/{file}", web::get().to(assets::serve))
            // Before `/rondes/{id}`, which would take "nieuw" for an id.
            .route("/rondes/nieuw", web::get().to(round_form::new_round_page))
            // The frame's JSON as a file comes as multipart, the form's fields as urlencoded.
            .route(
                "/rondes/nieuw",
                web::post()
                    .guard(multipart())
                    .to(round_form::create_round_upload),
            )
            .route("/rondes/nieuw", web::post().to(round_form::create_round))
            .route(
                "/rondes/{id}/bewerken",
                web::get().to(round_form::edit_round_page),
            )
            .route(
                "/rondes/{id}/bewerken",
                web::post()
                    .guard(multipart())
                    .to(round_form::update_round_upload),
            )
            .route(
                "/rondes/{id}/bewerken",
                web::post().to(round_form::update_round),
            )
            .route(
                "/rondes/{id}/kopieren",
                web::post().to(round_form::copy_round),
            )
            .route("/rondes/{id}", web::get().to(public::round))
            .route("/registreren", web::get().to(account::register_page))
            .route("/registreren", web::post().to(account::register))
            .route("/inloggen", web::get().to(account::login_page))
            .route("/inloggen", web::post().to(account::login))
            .route("/inloggen/link", web::post().to(account::request_link))
            .route("/aanmelden", web::get().to(account::link_page))
            .route("/aanmelden", web::post().to(account::redeem_link))
            .route("/inloggen/oidc", web::get().to(single_sign_on::callback))
            .route("/inloggen/oidc/start", web::get().to(single_sign_on::start))
            .route("/inloggen/code", web::get().to(two_step::code_page))
            .route("/inloggen/code", web::post().to(two_step::finish))
            .route("/account/tweestap", web::get().to(two_step::page))
            .route("/account/tweestap", web::post().to(two_step::confirm))
            .route("/uitloggen", web::post().to(account::logout))
            .route("/account", web::get().to(my_account::account_page))
            .route(
                "/account/overal-uitloggen",
                web::post().to(my_account::logout_everywhere),
            )
            .route("/account/naam", web::post().to(my_account::rename))
            .route(
                "/account/verwijderen",
                web::get().to(my_account::delete_page),
            )
            .route("/mijn-gegevens", web::get().to(my_account::my_data_page))
            .route(
                "/mijn-gegevens/download",
                web::get().to(my_account::my_data_download),
            )
            .route(
                "/account/verwijderen",
                web::post().to(my_account::delete_account),
            )
            .route(
                "/account/wachtwoord",
                web::post().to(my_account::change_password),
            )
            .route(
                "/account/e-mailadres",
                web::post().to(my_account::request_email_change),
            )
            .route(
                "/account/e-mailadres/bevestigen",
                web::get().to(my_account::confirm_page),
            )
            .route(
                "/account/e-mailadres/bevestigen",
                web::post().to(my_account::confirm),
            )
            .route(
                "/rondes/{id}/plannen/nieuw",
                web::get().to(applicant::new_plan_page),
            )
            .route(
                "/rondes/{id}/plannen/nieuw",
                web::post().to(applicant::create_plan),
            )
            .route(
                "/plannen/{id}/bewerken",
                web::get().to(applicant::edit_plan_page),
            )
            .route(
                "/plannen/{id}/bewerken",
                web::post().to(applicant::edit_plan),
            )
            .route(
                "/plannen/{id}/indienen",
                web::get().to(submitting::submit_page),
            )
            .route("/plannen/{id}/indienen", web::post().to(submitting::submit))
            .route(
                "/plannen/{id}/intrekken",
                web::get().to(submitting::withdraw_page),
            )
            .route(
                "/plannen/{id}/intrekken",
                web::post().to(submitting::withdraw),
            )
            // The programme team and the board.
            .route("/plannen/{id}/actie", web::post().to(review::plan_action))
            .route("/plannen/{id}/opmerking", web::post().to(team::set_note))
            .route("/plannen/{id}/vraag", web::get().to(review::question_page))
            .route("/plannen/{id}/vraag", web::post().to(review::ask))
            .route(
                "/plannen/{id}/samenvoegen",
                web::get().to(review::merge_page),
            )
            .route("/plannen/{id}/samenvoegen", web::post().to(review::merge))
            .route(
                "/plannen/{id}/beoordeling",
                web::get().to(scoring::evaluation_page),
            )
            .route(
                "/plannen/{id}/beoordeling",
                web::post().to(scoring::evaluate),
            )
            .route(
                "/plannen/{id}/pre-advies",
                web::get().to(scoring::pre_advice_page),
            )
            .route(
                "/plannen/{id}/pre-advies",
                web::post().to(scoring::pre_advise),
            )
            .route("/plannen/{id}/stem", web::post().to(board::vote))
            .route(
                "/plannen/{id}/belangenconflict",
                web::post().to(board::declare_conflict),
            )
            .route("/rondes/{id}/budget", web::get().to(rounds::budget))
            .route("/rondes/{id}/rangorde", web::get().to(rounds::ranking))
            .route(
                "/rondes/{id}/plannen-van-de-ronde",
                web::get().to(plenary::plenary_page),
            )
            .route(
                "/rondes/{id}/reserveringen",
                web::post().to(rounds::reserve),
            )
            .route(
                "/reserveringen/{id}/vrijgeven",
                web::post().to(rounds::release),
            )
            .route("/rondes/{id}/vaststelling", web::get().to(rounds::adoption))
            .route("/rondes/{id}/vaststelling", web::post().to(rounds::adopt))
            .route("/beheer/gebruikers", web::get().to(admin_users::users))
            .route(
                "/beheer/gebruikers/nieuw",
                web::get().to(admin_users::new_user_page),
            )
            .route(
                "/beheer/gebruikers/nieuw",
                web::post().to(admin_users::create_user),
            )
            .route(
                "/beheer/gebruikers/{id}",
                web::get().to(admin_users::user_page),
            )
            .route(
                "/beheer/gebruikers/{id}",
                web::post().to(admin_users::update_user),
            )
            .route(
                "/beheer/gebruikers/{id}/tweestap",
                web::post().to(admin_users::reset_second_factor),
            )
            .route(
                "/beheer/organisaties",
                web::get().to(admin::organisations_list),
            )
            .route(
                "/beheer/organisaties",
                web::post().to(admin::create_organisation),
            )
            .route(
                "/beheer/organisaties/{id}/leden",
                web::post().to(admin::confirm_member),
            )
            .route(
                "/beheer/organisaties/{id}/contact",
                web::post().to(admin::set_contact),
            )
            // After adoption: grants, payments, bank accounts, results.
            .route("/subsidies", web::get().to(grants::list))
            .route("/subsidies/{id}", web::get().to(grants::show))
            .route(
                "/subsidies/{id}/verslag",
                web::post().to(grants::file_report),
            )
            .route(
                "/subsidies/{id}/vaststelling",
                web::post().to(grants::settle),
            )
            .route(
                "/verslagen/{id}/bijlage",
                web::post().to(attachments::attach),
            )
            .route(
                "/plannen/{id}/verwijderen",
                web::get().to(submitting::delete_page),
            )
            .route(
                "/plannen/{id}/verwijderen",
                web::post().to(submitting::delete),
            )
            .route(
                "/plannen/{id}/antwoord",
                web::post().to(submitting::keep_answer),
            )
            .route(
                "/plannen/{id}/berichten",
                web::post().to(conversation::post_message),
            )
            .route(
                "/plannen/{id}/beoordelaars",
                web::post().to(assignments::assign),
            )
            .route(
                "/plannen/{id}/mede-indieners",
                web::post().to(co_applicants::invite),
            )
            .route(
                "/plannen/{id}/mede-indieners/{user_id}/verwijderen",
                web::post().to(co_applicants::remove),
            )
            .route(
                "/plannen/{id}/bijlagen",
                web::post().to(plan_attachments::add),
            )
            .route("/bijlagen/{id}", web::get().to(plan_attachments::download))
            .route(
                "/bijlagen/{id}/verwijderen",
                web::post().to(plan_attachments::remove),
            )
            .route(
                "/verslagen/{id}/bijlage",
                web::get().to(attachments::attachment),
            )
            .route(
                "/verslagen/{id}/bijlagen/{bijlage}",
                web::get().to(attachments::one_attachment),
            )
            .route(
                "/verslagen/{id}/bijlagen/{bijlage}/verwijderen",
                web::post().to(attachments::detach),
            )
            .route("/betalingen", web::get().to(payments::payments_page))
            .route(
                "/betalingen/batches",
                web::post().to(payments::create_batch),
            )
            .route(
                "/betalingen/batches/{id}/sepa.xml",
                web::get().to(payments::sepa_file),
            )
            .route(
                "/betalingen/batches/{id}/betaald",
                web::post().to(payments::batch_paid),
            )
            .route(
                "/betalingen/batches/{id}/intrekken",
                web::post().to(payments::batch_cancel),
            )
            .route(
                "/betalingen/{id}/vrijgeven",
                web::post().to(payments::release),
            )
            .route(
                "/beheer/organisaties/{id}/bankrekening",
                web::get().to(payments::bank_account),
            )
            .route(
                "/beheer/organisaties/{id}/bankrekening",
                web::post().to(payments::set_bank_account),
            )
            .route(
                "/subsidies/{id}/voorwaarden/{condition}/voldaan",
                web::post().to(payments::meet_condition),
            )
            .route(
                "/beheer/organisaties/{id}/bankrekening/bevestigen",
                web::post().to(payments::confirm_bank_account),
            )
            .route(
                "/rondes/{id}/resultaten",
                web::get().to(grants::results_page),
            )
            .route("/beheer/post", web::get().to(admin::outbox_page))
            .route("/beheer/post/{id}/opnieuw", web::post().to(admin::retry))
            .default_service(web::to(error::not_found)),
    );
}

/// The pages' caches, of one shape with the API's (`app::cache::CounterCache`: a change
/// counter, bytes under one cap): an applicant's rows by page, and the work list's finished
/// content by page, words as typed and the rounds' stamp. Never anything of the session.
#[derive(Default)]
pub struct WebLists {
    pub my_plans: CounterCache<PageKey, std::sync::Arc<my_plans::MyPlanRows>>,
    pub work_list: CounterCache<worklist::WorkKey, worklist::Content>,
}

/// What the base layout shows of the visitor on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The page's own title: the browser's title is "<title> — Planloket Sterk voor Noord".
    pub title: String,
    pub css: &'static str,
    /// The signed-in account's name, or `None`.
    pub user: Option<String>,
    /// The menu items the visitor's rights show (`domain::permission::Menu`).
    pub menu: Menu,
    /// No menu: an error page does not know who is visiting, so it shows no sign-in state.
    pub bare: bool,
    /// For the sign-out form in the header.
    pub csrf: String,
    /// A short status message after an action ("Uw plan is ingediend"), announced politely.
    pub flash: Option<&'static str>,
}

impl Layout {
    pub fn new(title: impl Into<String>, v: &Visitor) -> Layout {
        Layout {
            title: title.into(),
            css: assets::stylesheet_path(),
            // A staff account still to enrol a second factor is signed in (it can sign out)
            // but its menu offers nothing yet.
            user: v.signed_in.as_ref().map(|s| s.account.name.clone()),
            menu: v
                .account()
                .map(|a| Menu::of(&a.actor()))
                .unwrap_or_default(),
            bare: false,
            csrf: v.csrf.clone(),
            flash: None,
        }
    }

    pub fn with_flash(mut self, flash: Option<&'static str>) -> Layout {
        self.flash = flash;
        self
    }
}

/// A rendered page as an answer, with the visitor's cookies.
pub fn html(v: &Visitor, status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.content_type("text/html; charset=utf-8");
    for c in v.cookies() {
        res.cookie(c);
    }
    res.body(body)
}

/// Reads what a page shows on one blocking thread and one connection, the visitor's session
/// first (`session::Pending`): `f` gets the visitor and answers the page's data, or a refusal
/// (sign-in, 403). A session due to be marked as used is marked afterwards, once every few
/// minutes.
pub async fn with_visitor<T, F>(
    state: &web::Data<crate::app::App>,
    pending: Pending,
    f: F,
) -> Result<(Visitor, T), WebError>
where
    T: Send + 'static,
    F: FnOnce(&mut crate::app::DbConn, &Visitor) -> Result<T, WebError> + Send + 'static,
{
    use crate::app::sessions;
    let st = state.clone();
    let (v, out, stale) = web::block(move || {
        st.read(|c| {
            let found = match pending.token() {
                Some(t) => sessions::find(c, t)?,
                None => None,
            };
            let stale = found
                .as_ref()
                .filter(|(_, stale)| *stale)
                .map(|(s, _)| s.session.token_hash.clone());
            let v = pending.finish(found.map(|(s, _)| s));
            let out = f(c, &v);
            Ok::<_, crate::app::Error>((v, out, stale))
        })
    })
    .await??;
    if let Some(hash) = stale {
        let st = state.clone();
        web::block(move || sessions::touch(&st, &hash)).await??;
    }
    Ok((v, out?))
}

/// A page whose content was rendered before (and kept): the layout around it.
#[derive(askama::Template)]
#[template(path = "web/shell.html")]
pub struct Shell {
    pub l: Layout,
    pub content: std::sync::Arc<String>,
}

/// Renders an askama template into a page answer.
pub fn render<T: askama::Template>(
    v: &Visitor,
    status: actix_web::http::StatusCode,
    page: &T,
) -> Result<HttpResponse, WebError> {
    let body = page
        .render()
        .map_err(|e| WebError::Internal(format!("a page did not render: {e}")))?;
    Ok(html(v, status, body))
}

/// `303 See Other` to `to` (after a successful post), with the visitor's cookies.
pub fn redirect(v: &Visitor, to: &str) -> HttpResponse {
    let mut res = HttpResponse::SeeOther();
    res.insert_header((header::LOCATION, to.to_string()));
    for c in v.cookies() {
        res.cookie(c);
    }
    res.finish()
}

/// Status messages shown after a redirect, named by a fixed key in the query (`?bericht=`)
/// so no text a person typed travels in a URL.
/// A request whose body is `multipart/form-data` (a file upload).
fn multipart() -> impl actix_web::guard::Guard {
    actix_web::guard::fn_guard(|ctx| {
        ctx.head()
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"))
    })
}

pub fn flash(key: Option<&str>) -> Option<&'static str> {
    Some(match key? {
        "opgeslagen" => "Uw concept is opgeslagen.",
        "bericht-verstuurd" => "Uw bericht is verstuurd.",
        "bijlage-toegevoegd" => "De bijlage is toegevoegd.",
        "uitgenodigd" => "De uitnodiging is verstuurd. De mede-indiener kan het plan nu lezen en aanpassen.",
        "mede-indiener-verwijderd" => "De mede-indiener is van het plan gehaald.",
        "uitgestapt" => "U bent uit het plan gestapt. U ziet het niet meer.",
        "toegewezen" => "De beoordelaars zijn opgeslagen. Wie nieuw is toegewezen, krijgt een e-mail.",
        "account-verwijderd" => "Uw account is verwijderd, met uw concepten. U bent uitgelogd.",
        "account-gesloten" => "Uw account is gesloten: u kunt niet meer inloggen. Wat de gemeente nog moet bewaren, en tot wanneer, staat in de e-mail die u krijgt.",
        "klaargezet" => "Het plan staat klaar voor de indiener. Die krijgt een e-mail om het na te lezen en in te dienen.",
        "ingediend" => "Uw plan is ingediend. U ontvangt een ontvangstbevestiging per e-mail.",
        "opnieuw-ingediend" => "Uw plan is opnieuw ingediend. Het programmateam bekijkt het.",
        "ingetrokken" => "Uw plan is ingetrokken.",
        "ingelogd" => "U bent ingelogd.",
        "code-verlopen" => "Het inloggen duurde te lang, of de code is te vaak fout ingevuld. Log opnieuw in.",
        "concept-verwijderd" => "Het concept is verwijderd.",
        "naam-gewijzigd" => "Uw naam is gewijzigd.",
        "wachtwoord-gewijzigd" => "Uw wachtwoord is gewijzigd. Overal waar u nog was ingelogd, bent u nu uitgelogd; in deze browser bent u opnieuw ingelogd.",
        "e-mailadres-gewijzigd" => "Uw e-mailadres is gewijzigd. U logt voortaan in met het nieuwe adres; naar het oude adres hebben we een bericht gestuurd.",
        "niet-meer" => "Dat kan niet meer: het plan is intussen verder, of iemand anders was u voor. Hieronder ziet u hoe het er nu voor staat.",
        "niet-bewerkbaar" => "Dit plan kan niet meer worden bewerkt: het is ingediend. Trek het in als u het wilt wijzigen, of wacht op een vraag van het programmateam.",
        "al-ingediend" => "Dit plan is al ingediend. Hieronder ziet u hoe het er nu voor staat.",
        "welkom" => "Uw account is aangemaakt en u bent ingelogd. Kies hieronder een ronde om een plan in te dienen.",
        "uitgelogd" => "U bent uitgelogd.",
        "overal-uitgelogd" => "U bent overal uitgelogd: in elke browser moet u opnieuw inloggen.",
        "in-behandeling" => "Het plan is in behandeling genomen.",
        "vraag-gesteld" => "Uw vraag is verstuurd. Het plan wacht nu op een aanvulling.",
        "samengevoegd" => "Het plan is samengevoegd met dit plan.",
        "beoordeeld" => "Uw beoordeling is opgeslagen.",
        "pre-advies" => "Het pre-advies is vastgelegd. U kunt nu de stemming openen.",
        "pre-advies-herzien" => "Het pre-advies is teruggenomen; het plan is weer in behandeling.",
        "stemming-geopend" => "De stemming is geopend. De leden van het bestuur krijgen bericht.",
        "stemming-afgebroken" => "De stemming is afgebroken; het plan is weer in behandeling.",
        "gestemd" => "Uw stem is opgeslagen.",
        "belangenconflict" => "Uw belangenconflict is vastgelegd. U stemt niet over dit plan.",
        "stemming-aangenomen" => "De stemming is gesloten: het bestuur volgt het pre-advies. Het besluit wordt openbaar bij de vaststelling door het college.",
        "stemming-niet-aangenomen" => "De stemming is gesloten: het bestuur volgt het pre-advies niet (bij staken van stemmen evenmin). Het plan gaat terug naar het programmateam voor een nieuw pre-advies.",
        "account-aangemaakt" => "Het account is aangemaakt.",
        "account-gewijzigd" => "Het account is gewijzigd.",
        "tweestap-uitgezet" => "De tweestapsverificatie van dit account staat uit. De persoon is overal uitgelogd en heeft een e-mail gekregen; bij de volgende keer inloggen stelt een medewerker haar opnieuw in.",
        "organisatie" => "De organisatie is toegevoegd.",
        "contact" => "Het e-mailadres voor brieven is opgeslagen.",
        "opmerking" => "De opmerking in het overzicht acties is opgeslagen.",
        "lid-bevestigd" => "Het lidmaatschap is bevestigd.",
        "opnieuw" => "Het bericht staat weer klaar om te versturen.",
        "gereserveerd" => "De reservering is vastgelegd.",
        "vrijgegeven" => "De reservering is vrijgegeven.",
        "vastgesteld" => "De vaststelling is vastgelegd. De besluitbrieven gaan naar de indieners.",
        "verslag" => "Uw verslag is ingediend. Het programmateam leest het.",
        "bijlage" => "De bijlage is toegevoegd.",
        "bijlage-verwijderd" => "De bijlage is verwijderd.",
        "subsidie-vastgesteld" => "Het subsidiebedrag is vastgesteld. Het besluit gaat naar de aanvrager en de ontvanger.",
        "betaling-vrijgegeven" => "De betaling is vrijgegeven. De financiële administratie zet haar in een batch voor de bank.",
        "batch-gemaakt" => "De batch is gemaakt. Download het SEPA-bestand voor de bank.",
        "batch-betaald" => "De batch is als betaald vastgelegd. De ontvangers krijgen bericht.",
        "batch-ingetrokken" => "De batch is ingetrokken. De betalingen staan weer klaar voor een nieuwe batch.",
        "bankrekening" => "De bankrekening is opgeslagen. De leden van de organisatie krijgen bericht. Een tweede persoon van de financiële administratie bevestigt haar; pas dan wordt erop betaald.",
        "voorwaarde-voldaan" => "Vastgelegd: aan de voorwaarde is voldaan.",
        "bankrekening-bevestigd" => "De bankrekening is bevestigd. Betalingen aan deze organisatie gaan mee in de volgende batch.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_messages_come_from_fixed_keys_only() {
        assert_eq!(
            flash(Some("ingediend")).map(|m| m.contains("ingediend")),
            Some(true)
        );
        assert_eq!(flash(Some("<script>")), None);
        assert_eq!(flash(None), None);
    }
}
