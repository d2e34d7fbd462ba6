//! The public pages: the programme and its rounds, a round's frame, a round's overview.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Utc;

use super::{render, with_visitor, Layout, Pending, Visitor, WebError};
use crate::app::rounds;
use crate::app::App;
use crate::domain::calendar::{dutch_date, dutch_date_time};
use crate::domain::round::{Round, RoundPhase};

/// A round as a list or a heading shows it.
pub struct RoundLine {
    pub id: String,
    pub name: String,
    pub phase: RoundPhase,
    /// "Open voor plannen tot …", in Dutch.
    pub when: String,
}

impl RoundLine {
    pub fn of(r: &Round) -> RoundLine {
        let phase = r.phase(Utc::now());
        let when = match phase {
            RoundPhase::Upcoming => format!(
                "Open voor plannen vanaf {}",
                dutch_date_time(r.spec.opens_at)
            ),
            RoundPhase::Open => format!(
                "Open voor plannen tot {}",
                dutch_date_time(r.spec.closes_at)
            ),
            RoundPhase::Closed => format!("Gesloten sinds {}", dutch_date_time(r.spec.closes_at)),
            RoundPhase::Adopted => match r.adopted_on {
                Some(d) => format!("Vastgesteld op {}", dutch_date(d)),
                None => "Vastgesteld".to_string(),
            },
        };
        RoundLine {
            id: r.id.clone(),
            name: r.spec.name.clone(),
            phase,
            when,
        }
    }

    pub fn is_open(&self) -> bool {
        self.phase == RoundPhase::Open
    }

    pub fn is_adopted(&self) -> bool {
        self.phase == RoundPhase::Adopted
    }
}

#[derive(Template)]
#[template(path = "web/home.html")]
struct Home {
    l: Layout,
    rounds: Vec<RoundLine>,
}

/// `/`: the programme, its open rounds with their deadline, links to published overviews.
pub async fn home(
    state: web::Data<App>,
    v: Visitor,
    q: web::Query<Flash>,
) -> Result<HttpResponse, WebError> {
    let st = state.clone();
    let list = web::block(move || st.read(rounds::list)).await??;
    let page = Home {
        l: Layout::new("Projectplannen voor Leidschendam-Noord", &v)
            .with_flash(super::flash(q.bericht.as_deref())),
        rounds: list.iter().map(RoundLine::of).collect(),
    };
    render(&v, StatusCode::OK, &page)
}

/// The status message key a redirect may carry.
#[derive(Debug, serde::Deserialize)]
pub struct Flash {
    pub bericht: Option<String>,
}

/// A goal as the round page shows it.
pub struct GoalLine {
    pub code: String,
    pub text: String,
}

/// A theme as the round page shows it.
pub struct ThemeBlock {
    pub code: String,
    pub name: String,
    pub budget: String,
    pub goals: Vec<GoalLine>,
    /// The frame's texts, each shown only when given.
    pub texts: Vec<(&'static str, String)>,
}

/// A criterion as the round page shows it.
pub struct CriterionLine {
    pub name: String,
    pub description: String,
    pub scale: String,
}

#[derive(Template)]
#[template(path = "web/round.html")]
struct RoundPage {
    l: Layout,
    round: RoundLine,
    programme: String,
    period: String,
    themes: Vec<ThemeBlock>,
    criteria: Vec<CriterionLine>,
    conditions: Vec<String>,
    applicant: bool,
}

/// `/rondes/{id}`: the round's frame, and the way to file a plan in it.
pub async fn round(
    state: web::Data<App>,
    v: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let st = state.clone();
    let r = web::block(move || st.read(|c| rounds::get(c, &id))).await??;
    let page = RoundPage {
        l: Layout::new(r.spec.name.clone(), &v),
        round: RoundLine::of(&r),
        programme: r.spec.programme.clone(),
        period: if r.spec.start_year == r.spec.end_year {
            r.spec.start_year.to_string()
        } else {
            format!("{} tot en met {}", r.spec.start_year, r.spec.end_year)
        },
        themes: r
            .spec
            .catalog
            .themes
            .iter()
            .map(|t| ThemeBlock {
                code: t.code.clone(),
                name: t.name.clone(),
                budget: t.budget_eur.format_nl(),
                goals: t
                    .goals
                    .iter()
                    .map(|g| GoalLine {
                        code: g.code.clone(),
                        text: g.text.clone(),
                    })
                    .collect(),
                texts: [
                    ("Ambitie", &t.ambition),
                    ("Wat doen we al", &t.current_offer),
                    ("Beoogde resultaten", &t.intended_results),
                ]
                .into_iter()
                .filter(|(_, text)| !text.is_empty())
                .map(|(label, text)| (label, text.clone()))
                .collect(),
            })
            .collect(),
        criteria: r
            .spec
            .catalog
            .criteria
            .iter()
            .map(|c| CriterionLine {
                name: c.name.clone(),
                description: c.description.clone(),
                scale: format!("0 tot en met {}", c.scale_max),
            })
            .collect(),
        conditions: r.spec.catalog.conditions.clone(),
        applicant: v.allows(crate::domain::permission::Permission::FilePlans),
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "web/overview.html")]
struct OverviewPage {
    l: Layout,
    o: Shown,
}

/// What the overview's page and its print view show: the round, its adoptions and the
/// tables as `publish` writes them (every text in them escaped there).
struct Shown {
    round_id: String,
    name: String,
    adoptions: Vec<(String, String)>,
    sections: String,
}

/// The overview of round `id` as the visitor may read it (a draft for the team only).
async fn shown_overview(
    state: &web::Data<App>,
    pending: Pending,
    id: String,
) -> Result<(Visitor, Shown), WebError> {
    let (v, (round, o)) = with_visitor(state, pending, move |c, v| {
        let actor = v.account().map(|a| a.actor());
        Ok(rounds::overview(c, actor.as_ref(), &id)?)
    })
    .await?;
    let shown = Shown {
        round_id: round.id.clone(),
        name: round.spec.name.clone(),
        adoptions: o
            .adoptions
            .iter()
            .map(|a| (dutch_date(a.adopted_on), a.reference.clone()))
            .collect(),
        sections: crate::publish::sections(&o),
    };
    Ok((v, shown))
}

/// `/rondes/{id}/overzicht`: the published "Overzicht acties"; before the round's adoption a
/// draft for the programme team only.
pub async fn overview(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let (v, o) = shown_overview(&state, pending, path.into_inner()).await?;
    let page = OverviewPage {
        l: Layout::new(format!("Overzicht acties — {}", o.name), &v),
        o,
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "web/overview_print.html")]
struct OverviewPrint {
    css: &'static str,
    o: Shown,
}

/// `/rondes/{id}/overzicht/afdrukken`: the overview alone, for printing (a theme per page),
/// under the site's stylesheet (the page holds no style of its own, which the content
/// security policy would refuse).
pub async fn overview_print(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let (v, o) = shown_overview(&state, pending, path.into_inner()).await?;
    let page = OverviewPrint {
        css: super::assets::stylesheet_path(),
        o,
    };
    render(&v, StatusCode::OK, &page)
}

/// `/rondes/{id}/overzicht.csv`: the overview as a file for spreadsheets.
pub async fn overview_csv(
    state: web::Data<App>,
    pending: Pending,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let id = path.into_inner();
    let (_, (_, o)) = with_visitor(&state, pending, move |c, v| {
        let actor = v.account().map(|a| a.actor());
        Ok(rounds::overview(c, actor.as_ref(), &id)?)
    })
    .await?;
    Ok(crate::front::overview_csv(
        crate::publish::csv(&o),
        "attachment",
    ))
}

/// The words of the service, each once, in plain Dutch: the glossary page and the hints that
/// link to it use these (`#opgave`, `#trekker`, …).
pub const TERMS: &[(&str, &str, &str)] = &[
    ("plan", "Plan (projectplan)", "Uw voorstel voor een activiteit in de wijk: wat u gaat doen, voor wie, met wie en wat het kost."),
    ("ronde", "Ronde", "Een periode waarin u plannen kunt indienen, met eigen regels en een eigen budget."),
    ("opgave", "Opgave (thema)", "Een thema van het programma, zoals 'Jeugd, jongeren en onderwijs'. Elke opgave heeft doelen en een eigen budget. 'Ten laste van een opgave' betekent: het geld komt uit het budget van dat thema."),
    ("doel", "Doel", "Wat het programma binnen een opgave wil bereiken. Uw plan draagt bij aan een of meer doelen."),
    ("trekker", "Trekker", "De organisatie die het plan uitvoert. Zonder trekker voeren inwoners het plan zelf uit."),
    ("partner", "Samenwerkingspartner", "Een organisatie die meedoet aan het plan, maar het niet trekt."),
    ("ontvanger", "Ontvanger", "De organisatie die het geld krijgt. Een inwoner ontvangt zelf geen geld: een partnerorganisatie ontvangt het voor het plan."),
    ("bijdrage", "Bijdrage (subsidie)", "Het geld dat het programma aan een plan geeft. In het besluit van de gemeente heet dit een subsidie."),
    ("basisfinanciering", "Basisfinanciering", "De activiteit wordt al betaald uit een vast budget, bijvoorbeeld van de gemeente of een organisatie. Het plan vraagt dan geen geld uit het programma."),
    ("advies", "Advies van het programmateam (pre-advies)", "Het programmateam bekijkt of een plan past bij de doelen en regels, en adviseert het bestuur of het plan geld krijgt en hoeveel."),
    ("bestuur", "Bestuur", "Het bestuur van het programma stemt over het advies van het programmateam."),
    ("college", "College (vaststelling)", "Het college van burgemeester en wethouders besluit over alle plannen van een ronde samen. Pas daarna hoort u de uitkomst, in een besluitbrief."),
    ("kenmerk", "Kenmerk", "Het nummer van uw plan, zoals SVN-2025-0012. Noem het als u contact met ons opneemt."),
    ("voorschot", "Voorschot", "Het deel van de bijdrage dat u krijgt voordat de activiteit klaar is."),
    ("verslag", "Verslag", "Wat u ons vertelt over de uitvoering: wat er is gedaan, wie u bereikte en wat het kostte. Er is een voortgangsverslag en een eindverslag."),
    ("vaststellen", "Subsidie vaststellen", "Na het eindverslag stelt de gemeente het definitieve bedrag vast. Was er minder nodig, dan betaalt de ontvanger het verschil terug."),
    ("bezwaar", "Bezwaar", "Bent u het niet eens met een besluit? Dan kunt u binnen zes weken bezwaar maken. Hoe dat gaat, staat in de besluitbrief."),
];

#[derive(Template)]
#[template(path = "web/glossary.html")]
struct GlossaryPage {
    l: Layout,
    terms: &'static [(&'static str, &'static str, &'static str)],
}

/// `/begrippen`: the service's words in plain Dutch.
pub async fn glossary(v: Visitor) -> Result<HttpResponse, WebError> {
    let page = GlossaryPage {
        l: Layout::new("Wat betekent dit?", &v),
        terms: TERMS,
    };
    render(&v, StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "web/privacy.html")]
struct PrivacyPage {
    l: Layout,
    s: crate::app::privacy::Statement,
}

/// `/privacy`: the privacy statement, its retention table made from the policy applied.
pub async fn privacy(state: web::Data<App>, pending: Pending) -> Result<HttpResponse, WebError> {
    let st = state.clone();
    let (v, s) = with_visitor(&state, pending, move |c, _| {
        Ok(crate::app::privacy::statement(
            c,
            &st.rounds,
            &st.retention,
            st.privacy_contact.as_deref(),
        )?)
    })
    .await?;
    let page = PrivacyPage {
        l: Layout::new("Privacy", &v),
        s,
    };
    render(&v, StatusCode::OK, &page)
}
