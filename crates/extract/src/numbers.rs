//! Numbers as reports write them: digits with separators (`1.5`, `1,200`, `1 200`), and
//! number words in English and Russian (`seventeen`, `two hundred`, `трое`, `полторы`).

use crate::fold::Folded;

/// A number found at tokens `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    pub value: f64,
    pub first: usize,
    pub last: usize,
}

/// Every number in the text, in order.
pub fn numbers(text: &str, folded: &Folded) -> Vec<Number> {
    let tokens = &folded.tokens;
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let word = &text[tokens[i].start as usize..tokens[i].end as usize];
        if tokens[i].is_number {
            // Russian writes a decimal comma ("20,374 килограмма" is 20.374 kg) and thousands
            // with a space.
            let russian = tokens.get(i + 1).is_some_and(|t| t.cyrillic);
            let mut value = if russian && word.matches(',').count() == 1 {
                word.replace(',', ".").parse().ok()
            } else {
                parse_digits(word)
            };
            let mut last = i;
            // "1 200" written with a space between thousands.
            while let (Some(v), Some(next)) = (value, tokens.get(last + 1)) {
                let next_text = &text[next.start as usize..next.end as usize];
                let gap = &text[tokens[last].end as usize..next.start as usize];
                if next.is_number && next_text.len() == 3 && (gap == " " || gap == "\u{a0}") && v < 1000.0 {
                    value = Some(v * 1000.0 + next_text.parse::<f64>().unwrap_or(0.0));
                    last += 1;
                } else {
                    break;
                }
            }
            // "10 тыс.", "1тыс. 148 кг" (1,148), "5 thousand".
            if let (Some(v), Some(next)) = (value, tokens.get(last + 1)) {
                let unit = text[next.start as usize..next.end as usize].to_lowercase();
                if unit == "тыс" || unit.starts_with("тысяч") || unit == "thousand" {
                    value = Some(v * 1000.0);
                    last += 1;
                    if let Some(rest) = tokens.get(last + 1) {
                        let rest_text = &text[rest.start as usize..rest.end as usize];
                        let gap = &text[tokens[last].end as usize..rest.start as usize];
                        if rest.is_number
                            && rest_text.len() <= 3
                            && matches!(gap, " " | ". " | "\u{a0}" | ".\u{a0}")
                            && let Ok(r) = rest_text.parse::<f64>()
                        {
                            value = Some(v * 1000.0 + r);
                            last += 1;
                        }
                    }
                }
            }
            if let Some(value) = value {
                out.push(Number { value, first: i, last });
            }
            i = last + 1;
            continue;
        }
        if could_be_number_word(folded.folded(i))
            && let Some((value, last)) = number_words(text, folded, i)
        {
            out.push(Number { value, first: i, last });
            i = last + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// A cheap test on the folded token before the full reading: every number word starts
/// with one of these letters and is at most 12 letters long.
fn could_be_number_word(folded: &str) -> bool {
    const STEMS: &[&str] = &[
        "o",
        "t",
        "f",
        "s",
        "e",
        "n",
        "h",
        "d",
        "од",
        "дв",
        "тр",
        "чет",
        "пят",
        "шест",
        "сем",
        "вос",
        "дев",
        "дес",
        "сор",
        "ст",
        "полт",
        "полут",
        "тыс",
    ];
    folded.len() <= 24 && STEMS.iter().any(|s| folded.starts_with(s))
}

/// `1.5` and `1,5` are one and a half; `1,200` (a comma before exactly three digits) is
/// twelve hundred.
fn parse_digits(word: &str) -> Option<f64> {
    if let Some((whole, rest)) = word.split_once(',') {
        if rest.len() == 3 && !rest.contains([',', '.']) {
            return format!("{whole}{rest}").parse().ok();
        }
        if rest.split(',').all(|g| g.len() == 3) {
            return word.replace(',', "").parse().ok();
        }
        return format!("{whole}.{rest}").parse().ok();
    }
    word.parse().ok()
}

/// The value of the number words starting at token `i`, and the last token they use.
fn number_words(text: &str, folded: &Folded, i: usize) -> Option<(f64, usize)> {
    // Latin tokens fold to their lower case; Russian ones lose their endings in folding,
    // and number words are read whole.
    let word = |j: usize| -> Option<std::borrow::Cow<'_, str>> {
        let t = folded.tokens.get(j)?;
        Some(if t.cyrillic {
            text[t.start as usize..t.end as usize].to_lowercase().replace('ё', "е").into()
        } else {
            folded.folded(j).into()
        })
    };
    let first = word(i)?;
    if let Some(v) = fraction(&first) {
        return Some((v, i));
    }
    let mut total = 0.0;
    let mut current = word_value(&first)?;
    let mut last = i;
    let mut j = i + 1;
    while let Some(w) = word(j) {
        if w == "and" && word(j + 1).as_deref() == Some("a") && word(j + 2).as_deref() == Some("half") {
            current += 0.5;
            last = j + 2;
            break;
        }
        if let Some(m) = multiplier(&w) {
            current = current.max(1.0) * m;
            if m >= 1000.0 {
                total += current;
                current = 0.0;
            }
        } else if let Some(v) = word_value(&w).filter(|v| *v < 100.0) {
            current += v;
        } else {
            break;
        }
        last = j;
        j += 1;
    }
    Some((total + current, last))
}

fn fraction(word: &str) -> Option<f64> {
    match word {
        "полтора" | "полторы" | "полутора" => Some(1.5),
        _ => None,
    }
}

fn multiplier(word: &str) -> Option<f64> {
    match word {
        "hundred" | "hundreds" => Some(100.0),
        "thousand" | "тысяча" | "тысячи" | "тысяч" | "тысячу" => Some(1000.0),
        _ => None,
    }
}

/// Units, teens, tens and hundreds in English and Russian (all cases Russian uses in
/// counts), and Russian collective numerals.
fn word_value(word: &str) -> Option<f64> {
    let v = match word {
        "one" | "один" | "одна" | "одного" | "одной" | "одну" | "одним" => 1,
        "two" | "два" | "две" | "двух" | "двум" | "двумя" | "двое" | "двоих" => 2,
        "three" | "три" | "трех" | "трем" | "тремя" | "трое" | "троих" => 3,
        "four" | "четыре" | "четырех" | "четырьмя" | "четверо" | "четверых" => 4,
        "five" | "пять" | "пяти" | "пятью" | "пятеро" | "пятерых" => 5,
        "six" | "шесть" | "шести" | "шестеро" | "шестерых" => 6,
        "seven" | "семь" | "семи" | "семеро" | "семерых" => 7,
        "eight" | "восемь" | "восьми" | "восьмеро" => 8,
        "nine" | "девять" | "девяти" | "девятеро" => 9,
        "ten" | "десять" | "десяти" | "десятеро" => 10,
        "eleven" | "одиннадцать" | "одиннадцати" => 11,
        "twelve" | "dozen" | "двенадцать" | "двенадцати" => 12,
        "thirteen" | "тринадцать" | "тринадцати" => 13,
        "fourteen" | "четырнадцать" | "четырнадцати" => 14,
        "fifteen" | "пятнадцать" | "пятнадцати" => 15,
        "sixteen" | "шестнадцать" | "шестнадцати" => 16,
        "seventeen" | "семнадцать" | "семнадцати" => 17,
        "eighteen" | "восемнадцать" | "восемнадцати" => 18,
        "nineteen" | "девятнадцать" | "девятнадцати" => 19,
        "twenty" | "двадцать" | "двадцати" => 20,
        "thirty" | "тридцать" | "тридцати" => 30,
        "forty" | "сорок" | "сорока" => 40,
        "fifty" | "пятьдесят" | "пятидесяти" => 50,
        "sixty" | "шестьдесят" | "шестидесяти" => 60,
        "seventy" | "семьдесят" | "семидесяти" => 70,
        "eighty" | "восемьдесят" | "восьмидесяти" => 80,
        "ninety" | "девяносто" => 90,
        "сто" | "ста" => 100,
        "двести" | "двухсот" => 200,
        "триста" | "трехсот" => 300,
        "четыреста" | "четырехсот" => 400,
        "пятьсот" | "пятисот" => 500,
        _ => return None,
    };
    Some(f64::from(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::fold;

    fn values(text: &str) -> Vec<f64> {
        numbers(text, &fold(text)).iter().map(|n| n.value).collect()
    }

    #[test]
    fn digits_with_separators() {
        assert_eq!(values("1.5 tonnes and 1,5 тонны, 1,200 people, 1 200 кг, 40 kg"), [1.5, 1.5, 1200.0, 1200.0, 40.0]);
        assert_eq!(values("20,374 килограмма опия, 2,500 kg"), [20.374, 2500.0]);
        assert_eq!(values("задержано 1тыс. 148 кг, до 10 тыс. солдат, 5 thousand rounds"), [1148.0, 10000.0, 5000.0]);
    }

    #[test]
    fn number_words_in_both_languages() {
        assert_eq!(values("two Kalashnikov rifles and seventeen militants"), [2.0, 17.0]);
        assert_eq!(values("twenty-five migrants, two hundred rounds"), [25.0, 200.0]);
        assert_eq!(values("one and a half tonnes"), [1.5]);
        assert_eq!(
            values("трое нарушителей, два автомата, полторы тонны, двадцать пять человек"),
            [3.0, 2.0, 1.5, 25.0]
        );
    }
}
