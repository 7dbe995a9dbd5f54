//! Search queries as users type them, parsed once into terms that each backend renders in
//! its own full-text syntax.
//!
//! The syntax: words are all required (`heroin Panj`); `"quoted words"` form a phrase;
//! `OR` between two terms accepts either; a leading `-` excludes a term; a trailing `*`
//! matches any word that starts so. Russian words are reduced to their stem and matched
//! as a prefix, so `героин` finds героина and героином, and `задержали` finds задержан.

use rust_stemmers::{Algorithm, Stemmer};

use crate::StoreError;

/// One term of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word or phrase; `prefix` when it matches any word starting with its last word.
    Match { words: Vec<String>, prefix: bool },
}

/// A parsed query: every clause must match, none of the excluded terms may. A clause
/// matches when any of its alternatives does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub clauses: Vec<Vec<Term>>,
    pub excluded: Vec<Term>,
}

impl SearchQuery {
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        let russian = Stemmer::create(Algorithm::Russian);
        let mut clauses: Vec<Vec<Term>> = Vec::new();
        let mut excluded = Vec::new();
        let mut join_next = false;
        for token in tokenize(text)? {
            match token {
                Token::Or => {
                    if clauses.is_empty() || join_next {
                        return Err(StoreError::InvalidQuery("OR needs a term on each side".into()));
                    }
                    join_next = true;
                }
                Token::Term { text, phrase, negated } => {
                    let Some(term) = make_term(&text, phrase, &russian) else { continue };
                    if negated {
                        excluded.push(term);
                    } else if std::mem::take(&mut join_next) {
                        if let Some(last) = clauses.last_mut() {
                            last.push(term);
                        }
                    } else {
                        clauses.push(vec![term]);
                    }
                }
            }
        }
        if join_next {
            return Err(StoreError::InvalidQuery("OR needs a term on each side".into()));
        }
        if clauses.is_empty() {
            return Err(StoreError::InvalidQuery("the query has no word to search for".into()));
        }
        Ok(Self { clauses, excluded })
    }
}

enum Token {
    Or,
    Term { text: String, phrase: bool, negated: bool },
}

fn tokenize(text: &str) -> Result<Vec<Token>, StoreError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        if chars.peek() == Some(&'"') {
            chars.next();
            let phrase: String = chars.by_ref().take_while(|&c| c != '"').collect();
            tokens.push(Token::Term { text: phrase, phrase: true, negated });
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '"' {
                break;
            }
            word.push(c);
            chars.next();
        }
        if word == "OR" && !negated {
            tokens.push(Token::Or);
        } else if !word.is_empty() {
            tokens.push(Token::Term { text: word, phrase: false, negated });
        }
    }
    Ok(tokens)
}

/// The words of `text` as the index sees them (letters and digits, lower-cased), the
/// last one stemmed to a prefix when it is Russian and not in a phrase.
fn make_term(text: &str, phrase: bool, russian: &Stemmer) -> Option<Term> {
    let explicit_prefix = !phrase && text.ends_with('*');
    let mut words: Vec<String> =
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    if words.is_empty() {
        return None;
    }
    let mut prefix = explicit_prefix;
    if !phrase && !explicit_prefix && words.len() == 1 && is_cyrillic(&words[0]) {
        let stem = russian.stem(&words[0]).into_owned();
        // Very short stems would match too much; keep the word as it is then.
        if stem.chars().count() >= 3 {
            words[0] = stem;
            prefix = true;
        }
    }
    Some(Term::Match { words, prefix })
}

fn is_cyrillic(word: &str) -> bool {
    word.chars().any(|c| ('\u{400}'..='\u{4FF}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(term: &Term) -> String {
        let Term::Match { words, prefix } = term;
        format!("{}{}", words.join(" "), if *prefix { "*" } else { "" })
    }

    fn show(text: &str) -> String {
        match SearchQuery::parse(text) {
            Ok(q) => {
                let clauses: Vec<String> =
                    q.clauses.iter().map(|c| c.iter().map(words).collect::<Vec<_>>().join(" | ")).collect();
                let excluded: Vec<String> = q.excluded.iter().map(words).collect();
                format!("{} -{}", clauses.join(" & "), excluded.join(","))
            }
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn parses_the_query_syntax() {
        assert_eq!(show("heroin Panj"), "heroin & panj -");
        assert_eq!(show("\"Amu Darya\" OR Panj -opium"), "amu darya | panj -opium");
        assert_eq!(show("Tajik*"), "tajik* -");
        assert_eq!(show("героина"), "героин* -");
        assert_eq!(show("задержали"), "задержа* -");
        assert_eq!(show("\"задержали курьера\""), "задержали курьера -");
        assert_eq!(show("ISIS-K"), "isis k -");
    }

    #[test]
    fn rejects_queries_without_a_term() {
        assert_eq!(show("-heroin"), "error: invalid search: the query has no word to search for");
        assert_eq!(show("heroin OR"), "error: invalid search: OR needs a term on each side");
        assert_eq!(show("OR heroin"), "error: invalid search: OR needs a term on each side");
        assert_eq!(show("  ... "), "error: invalid search: the query has no word to search for");
    }
}
