//! Plans that overlap: shared goals, shared partners, similar wording (TF-IDF cosine over
//! Dutch text with case and accents folded and common words left out).

use std::collections::HashMap;

use serde::Serialize;

use super::plan::{PartyRef, Plan};
use super::state::PlanStatus;
use super::text::fold;

/// Whether a plan is compared with others of its round: withdrawn and merged plans are not
/// (a plan asked about itself is compared even so).
pub fn comparable(status: PlanStatus) -> bool {
    !matches!(status, PlanStatus::Withdrawn | PlanStatus::Merged)
}

impl Doc {
    /// A plan as similarity sees it; `names` names registered organisations for the reasons.
    pub fn of(plan: &Plan, names: &HashMap<String, String>) -> Doc {
        let c = &plan.content;
        let partners = c
            .lead_partner
            .iter()
            .chain(c.co_leads.iter())
            .chain(c.partners.iter())
            .map(|p| match p {
                PartyRef::Registered { organisation_id } => (
                    format!("id:{organisation_id}"),
                    names
                        .get(organisation_id)
                        .cloned()
                        .unwrap_or_else(|| organisation_id.clone()),
                ),
                PartyRef::Named { name } => (
                    format!("name:{}", fold(name.trim())),
                    name.trim().to_string(),
                ),
            })
            .collect();
        Doc {
            id: plan.id.clone(),
            title: c.title.clone(),
            text: format!("{}\n{}", c.title, c.description),
            goals: c.goals.clone(),
            partners,
        }
    }
}

/// A plan as similarity sees it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub id: String,
    pub title: String,
    /// Title and description.
    pub text: String,
    pub goals: Vec<String>,
    /// Partners (lead and collaborating) as (key, name shown): registered ones keyed by id,
    /// others by their folded name.
    pub partners: Vec<(String, String)>,
}

/// One similar plan with its score (0..1) and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Similar {
    pub plan_id: String,
    pub title: String,
    pub score: f64,
    pub reasons: Vec<String>,
    /// The same reasons in Dutch, as the assessment pages show them.
    pub reasons_nl: Vec<String>,
}

/// Weights of the three signals in the score.
const W_TEXT: f64 = 0.5;
const W_GOALS: f64 = 0.3;
const W_PARTNERS: f64 = 0.2;
/// Below this score a plan is not shown as similar.
pub const MIN_SCORE: f64 = 0.1;
/// At most this many similar plans are answered.
pub const MAX_RESULTS: usize = 20;

/// Words too common in Dutch (and in plans) to say anything about overlap.
const STOPWORDS: &[&str] = &[
    "aan", "als", "bij", "dan", "dat", "die", "dit", "door", "een", "eens", "en", "enz", "er",
    "geen", "had", "heb", "hebben", "heeft", "het", "hier", "hoe", "hun", "ik", "in", "is", "je",
    "kan", "kunnen", "maar", "meer", "met", "moet", "na", "naar", "niet", "nog", "nu", "of", "om",
    "onder", "ons", "onze", "ook", "op", "over", "per", "te", "tegen", "toe", "tot", "uit", "van",
    "veel", "voor", "want", "was", "wat", "we", "wel", "werd", "wij", "wie", "wil", "worden",
    "wordt", "zal", "ze", "zij", "zijn", "zo", "zonder", "zou", "the", "and", "for", "with", "per",
    "week", "jaar", "project", "plan", "wijk",
];

/// The words of an already folded text that say something: three letters or more, no stopword.
fn tokens(folded: &str) -> impl Iterator<Item = &str> + '_ {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(w))
}

/// Sparse TF-IDF vector: (term id, weight), sorted by term id, with its norm.
#[derive(Debug, Clone, Default)]
struct Vector {
    terms: Vec<(u32, f64)>,
    norm: f64,
}

impl Vector {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Vector>() + self.terms.len() * std::mem::size_of::<(u32, f64)>()
    }
}

fn cosine(a: &Vector, b: &Vector) -> (f64, Vec<(u32, f64)>) {
    if a.norm == 0.0 || b.norm == 0.0 {
        return (0.0, Vec::new());
    }
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    let mut shared = Vec::new();
    while i < a.terms.len() && j < b.terms.len() {
        match a.terms[i].0.cmp(&b.terms[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let p = a.terms[i].1 * b.terms[j].1;
                dot += p;
                shared.push((a.terms[i].0, p));
                i += 1;
                j += 1;
            }
        }
    }
    (dot / (a.norm * b.norm), shared)
}

fn jaccard<'a>(a: impl Iterator<Item = &'a str>, b: &[&'a str]) -> (f64, Vec<&'a str>) {
    let a: Vec<&str> = a.collect();
    let shared: Vec<&str> = a.iter().copied().filter(|x| b.contains(x)).collect();
    let union = a.len() + b.iter().filter(|x| !a.contains(x)).count();
    if union == 0 {
        (0.0, shared)
    } else {
        (shared.len() as f64 / union as f64, shared)
    }
}

/// The plans of a round made ready for comparison: built once, asked many times.
#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    vectors: Vec<Vector>,
    words: Vec<String>,
}

impl Index {
    /// About how many bytes the index holds: its texts, terms and weights.
    pub fn bytes(&self) -> usize {
        let docs: usize = self
            .docs
            .iter()
            .map(|d| {
                d.id.len()
                    + d.title.len()
                    + d.text.len()
                    + d.goals.iter().map(|g| g.len() + 24).sum::<usize>()
                    + d.partners
                        .iter()
                        .map(|(k, n)| k.len() + n.len() + 48)
                        .sum::<usize>()
                    + std::mem::size_of::<Doc>()
            })
            .sum();
        let words: usize = self.words.iter().map(|w| w.len() + 24).sum();
        docs + words + self.vectors.iter().map(Vector::bytes).sum::<usize>()
    }

    /// Folds and tokenises every text, counts document frequencies and weighs every term.
    pub fn build(docs: Vec<Doc>) -> Index {
        let mut vocabulary: HashMap<String, u32> = HashMap::new();
        let mut words: Vec<String> = Vec::new();
        let mut counts: Vec<Vec<(u32, u32)>> = Vec::with_capacity(docs.len());
        let mut df: Vec<u32> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        for d in &docs {
            let folded = fold(&d.text);
            ids.clear();
            for t in tokens(&folded) {
                let id = match vocabulary.get(t) {
                    Some(id) => *id,
                    None => {
                        let id = words.len() as u32;
                        vocabulary.insert(t.to_string(), id);
                        words.push(t.to_string());
                        df.push(0);
                        id
                    }
                };
                ids.push(id);
            }
            ids.sort_unstable();
            let mut tf: Vec<(u32, u32)> = Vec::new();
            for id in &ids {
                match tf.last_mut() {
                    Some((last, c)) if last == id => *c += 1,
                    _ => tf.push((*id, 1)),
                }
            }
            for (id, _) in &tf {
                df[*id as usize] += 1;
            }
            counts.push(tf);
        }
        let n = docs.len() as f64;
        let vectors = counts
            .iter()
            .map(|tf| {
                let terms: Vec<(u32, f64)> = tf
                    .iter()
                    .map(|(id, c)| {
                        let idf = ((1.0 + n) / (1.0 + f64::from(df[*id as usize]))).ln() + 1.0;
                        (*id, (1.0 + f64::from(*c).ln()) * idf)
                    })
                    .collect();
                let norm = terms.iter().map(|t| t.1 * t.1).sum::<f64>().sqrt();
                Vector { terms, norm }
            })
            .collect();
        Index {
            docs,
            vectors,
            words,
        }
    }

    /// Where the plan with this id sits in the index.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.docs.iter().position(|d| d.id == id)
    }

    /// The plans most like `docs[target]`, best first.
    pub fn similar_to(&self, target: usize) -> Vec<Similar> {
        let me = &self.docs[target];
        let my_vector = &self.vectors[target];
        let my_goals: Vec<&str> = me.goals.iter().map(String::as_str).collect();
        let my_partners: Vec<&str> = me.partners.iter().map(|p| p.0.as_str()).collect();
        let mut out: Vec<Similar> = self
            .docs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != target)
            .filter_map(|(i, d)| {
                let (text, mut shared_terms) = cosine(my_vector, &self.vectors[i]);
                let (goals, shared_goals) = jaccard(d.goals.iter().map(String::as_str), &my_goals);
                let (partners, shared_partners) =
                    jaccard(d.partners.iter().map(|p| p.0.as_str()), &my_partners);
                let score = W_TEXT * text + W_GOALS * goals + W_PARTNERS * partners;
                if score < MIN_SCORE {
                    return None;
                }
                let (mut reasons, mut reasons_nl) = (Vec::new(), Vec::new());
                if !shared_goals.is_empty() {
                    let goals = shared_goals.join(", ");
                    reasons.push(format!("shared goals: {goals}"));
                    reasons_nl.push(format!(
                        "{} {}: {goals}",
                        shared_goals.len(),
                        if shared_goals.len() == 1 {
                            "gedeeld doel"
                        } else {
                            "gedeelde doelen"
                        }
                    ));
                }
                if !shared_partners.is_empty() {
                    let names: Vec<&str> = shared_partners
                        .iter()
                        .filter_map(|k| d.partners.iter().find(|p| p.0 == *k).map(|p| p.1.as_str()))
                        .collect();
                    reasons.push(format!("shared partners: {}", names.join(", ")));
                    reasons_nl.push(format!(
                        "{}: {}",
                        if names.len() == 1 {
                            "gedeelde partner"
                        } else {
                            "gedeelde partners"
                        },
                        names.join(", ")
                    ));
                }
                if text >= 0.1 {
                    shared_terms.sort_by(|a, b| b.1.total_cmp(&a.1));
                    let top: Vec<&str> = shared_terms
                        .iter()
                        .take(3)
                        .map(|t| self.words[t.0 as usize].as_str())
                        .collect();
                    reasons.push(format!(
                        "similar text ({:.0}% alike: {})",
                        text * 100.0,
                        top.join(", ")
                    ));
                    reasons_nl.push(format!(
                        "vergelijkbare tekst ({:.0}% gelijk: {})",
                        text * 100.0,
                        top.join(", ")
                    ));
                }
                Some(Similar {
                    plan_id: d.id.clone(),
                    title: d.title.clone(),
                    score: (score * 1000.0).round() / 1000.0,
                    reasons,
                    reasons_nl,
                })
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.plan_id.cmp(&b.plan_id)));
        out.truncate(MAX_RESULTS);
        out
    }
}

/// The plans of `docs` most like `docs[target]`, best first.
pub fn similar(target: usize, docs: &[Doc]) -> Vec<Similar> {
    Index::build(docs.to_vec()).similar_to(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, text: &str, goals: &[&str], partners: &[&str]) -> Doc {
        Doc {
            id: id.into(),
            title: id.into(),
            text: text.into(),
            goals: goals.iter().map(|g| g.to_string()).collect(),
            partners: partners.iter().map(|p| (fold(p), p.to_string())).collect(),
        }
    }

    #[test]
    fn overlapping_plans_rank_above_unrelated_ones_with_their_reasons() {
        let docs = vec![
            doc(
                "huiswerk",
                "Huiswerkbegeleiding voor kinderen in De Heuvel na schooltijd",
                &["B", "C"],
                &["Bibliotheek"],
            ),
            doc(
                "ook-huiswerk",
                "Huiswerkbegeleiding na schooltijd voor kinderen uit groep 7",
                &["B"],
                &["Bibliotheek"],
            ),
            doc(
                "taal",
                "Taalcafé voor ouders met kinderen",
                &["J", "C"],
                &[],
            ),
            doc(
                "afval",
                "Afval prikken in Prinsenhof",
                &["Q"],
                &["Gemeente"],
            ),
        ];
        let r = similar(0, &docs);
        assert_eq!(r[0].plan_id, "ook-huiswerk");
        assert!(
            r[0].reasons.iter().any(|x| x == "shared goals: B"),
            "{:?}",
            r[0].reasons
        );
        assert!(r[0]
            .reasons
            .iter()
            .any(|x| x == "shared partners: Bibliotheek"));
        assert!(
            r[0].reasons
                .iter()
                .any(|x| x.starts_with("similar text") && x.contains("huiswerkbegeleiding")),
            "{:?}",
            r[0].reasons
        );
        assert!(r[0].reasons_nl.iter().any(|x| x == "1 gedeeld doel: B"));
        assert!(r[0]
            .reasons_nl
            .iter()
            .any(|x| x == "gedeelde partner: Bibliotheek"));
        assert!(r[0]
            .reasons_nl
            .iter()
            .any(|x| x.starts_with("vergelijkbare tekst")));
        assert_eq!(r[1].plan_id, "taal");
        assert!(
            r.iter().all(|s| s.plan_id != "afval"),
            "unrelated plans are left out"
        );
        assert!(
            r.iter().all(|s| s.plan_id != "huiswerk"),
            "a plan is not similar to itself"
        );
    }

    #[test]
    fn accents_and_case_do_not_hide_similar_wording() {
        let docs = vec![
            doc("a", "Financiële zelfredzaamheid workshop", &[], &[]),
            doc("b", "FINANCIELE ZELFREDZAAMHEID cursus", &[], &[]),
        ];
        let r = similar(0, &docs);
        assert_eq!(r.len(), 1);
        assert!(r[0].reasons[0].contains("financiele"), "{:?}", r[0].reasons);
    }

    #[test]
    fn common_words_alone_make_nothing_similar() {
        let docs = vec![
            doc("a", "een plan voor de wijk met veel", &[], &[]),
            doc("b", "het plan voor de wijk met meer", &[], &[]),
        ];
        assert!(similar(0, &docs).is_empty());
    }
}
