//! siunitx and mhchem: `\SI{…}{…}`, `\num`, `\qty`, ranges and lists as the text a reader sees
//! (`5 mg`, `10–20 °C`), `\ce{…}` formulae as plain text.

use super::table::Special;
use super::{Argument, Latex};
use crate::prose::mathtext::{control_word, greek};

impl<'source, 'collector> Latex<'source, 'collector> {
    pub(super) fn quantity(&mut self, start: usize, special: Special) {
        let source = self.source;
        let signature = match special {
            Special::Quantity | Special::NumberRange => "omm",
            Special::QuantityRange => "ommm",
            _ => "om",
        };
        let mut arguments = Vec::new();
        for kind in signature.bytes() {
            let argument = self.skip_argument(kind);
            if kind != b'o' {
                arguments.push(argument);
            }
        }
        let end = self.lexer.position;
        let text = |argument: &Option<Argument>| {
            argument
                .as_ref()
                .map(|argument| &source[argument.inner.clone()])
        };
        let produced = match special {
            Special::Quantity => text(&arguments[0]).map(number_text).map(|number| {
                match text(&arguments[1]).and_then(unit_text) {
                    Some(unit) if !unit.is_empty() => format!("{number} {unit}"),
                    _ => number,
                }
            }),
            Special::Unit => text(&arguments[0]).and_then(unit_text),
            Special::Number => text(&arguments[0]).map(number_text),
            Special::Angle => text(&arguments[0]).map(|number| format!("{}°", number_text(number))),
            Special::QuantityRange => match (text(&arguments[0]), text(&arguments[1])) {
                (Some(low), Some(high)) => Some(match text(&arguments[2]).and_then(unit_text) {
                    Some(unit) if !unit.is_empty() => {
                        format!("{}–{} {unit}", number_text(low), number_text(high))
                    }
                    _ => format!("{}–{}", number_text(low), number_text(high)),
                }),
                _ => None,
            },
            Special::NumberRange => match (text(&arguments[0]), text(&arguments[1])) {
                (Some(low), Some(high)) => {
                    Some(format!("{}–{}", number_text(low), number_text(high)))
                }
                _ => None,
            },
            _ => None,
        };
        match produced {
            Some(produced) if !produced.trim().is_empty() && end > start => {
                self.builder().push_atomic(&produced, start..end)
            }
            _ => self.builder().space_for_removal(start),
        }
    }
}

/// `\ce{H2O2}` → `H2O2`: markers and braces go; anything beyond simple formulae is not text.
pub(super) fn chemistry_text(content: &str) -> Option<String> {
    let mut out = String::new();
    for character in content.chars() {
        match character {
            '^' | '_' | '{' | '}' => {}
            '\\' | '$' | '%' => return None,
            character => out.push(character),
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!out.is_empty()).then_some(out)
}

/// A siunitx number: `1e-3` stays, `\pm` → `±`, `\times` → `×`, braces go.
pub(super) fn number_text(content: &str) -> String {
    let content = content
        .replace("\\pm", "±")
        .replace("\\times", "×")
        .replace("\\,", " ")
        .replace("\\cdot", "·");
    let out: String = content
        .chars()
        .filter(|character| !matches!(character, '{' | '}' | '\\' | '~'))
        .collect();
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A siunitx unit: `\micro\molar` → `µM`, `\milli\gram\per\milli\litre` → `mg/mL`, `mM` → `mM`.
pub(super) fn unit_text(content: &str) -> Option<String> {
    let mut out = String::new();
    let mut characters = content.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '\\' {
            let name = control_word(&mut characters);
            let symbol = match name.as_str() {
                "yocto" => "y",
                "zepto" => "z",
                "atto" => "a",
                "femto" => "f",
                "pico" => "p",
                "nano" => "n",
                "micro" => "µ",
                "milli" => "m",
                "centi" => "c",
                "deci" => "d",
                "kilo" => "k",
                "mega" => "M",
                "giga" => "G",
                "tera" => "T",
                "molar" | "Molar" | "M" => "M",
                "mole" | "mol" => "mol",
                "gram" | "g" => "g",
                "litre" | "liter" | "L" | "l" => "L",
                "metre" | "meter" | "m" => "m",
                "second" | "s" => "s",
                "minute" => "min",
                "hour" => "h",
                "day" => "d",
                "degreeCelsius" | "celsius" => "°C",
                "degree" => "°",
                "kelvin" => "K",
                "percent" => "%",
                "per" => "/",
                "hertz" => "Hz",
                "dalton" | "Da" => "Da",
                "kDa" => "kDa",
                "volt" => "V",
                "ampere" => "A",
                "joule" => "J",
                "watt" => "W",
                "pascal" => "Pa",
                "bar" => "bar",
                "gray" => "Gy",
                "becquerel" => "Bq",
                "rpm" => "rpm",
                "unit" | "U" => "U",
                "squared" => "²",
                "cubed" => "³",
                "square" | "cubic" | "of" | "tothe" | "raiseto" => "",
                "," | "" => " ",
                _ => {
                    if let Some(letter) = greek(&name) {
                        out.push(letter);
                        continue;
                    }
                    return None;
                }
            };
            out.push_str(symbol);
        } else if matches!(character, '{' | '}' | '^' | '_') {
        } else if character == '~' || character == '.' {
            out.push(' ');
        } else {
            out.push(character);
        }
    }
    Some(out.split_whitespace().collect::<Vec<_>>().join(" "))
}
