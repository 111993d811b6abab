//! Short inline math to text, shared by the Markdown and LaTeX front ends.
//!
//! Biomedical names often contain math (`TNF-$\alpha$`, `Na$^+$/K$^+$-ATPase`, `Ca$^{2+}$`, `5\,$\mu$M`);
//! dropping it would break the entity. "Simple" math becomes text: letters, digits, spaces,
//! `+ - / . , = < > ' ( ) [ ]`, the `^`/`_` markers (dropped, their content kept), braces (dropped),
//! `\text{}`-like wrappers (content kept), Greek letters and a few symbols. Anything else, or a result
//! longer than [`MAX_CHARS`], is not simple, and the caller drops the math.

/// The longest text that inline math may become.
pub(crate) const MAX_CHARS: usize = 12;

/// The Unicode letter for a Greek letter macro name (`alpha`, `Gamma`, `varepsilon`, ...).
pub(crate) fn greek(name: &str) -> Option<char> {
    Some(match name {
        "alpha" => 'α',
        "beta" => 'β',
        "gamma" => 'γ',
        "delta" => 'δ',
        "epsilon" | "varepsilon" => 'ε',
        "zeta" => 'ζ',
        "eta" => 'η',
        "theta" => 'θ',
        "vartheta" => 'ϑ',
        "iota" => 'ι',
        "kappa" => 'κ',
        "lambda" => 'λ',
        "mu" => 'μ',
        "nu" => 'ν',
        "xi" => 'ξ',
        "omicron" => 'ο',
        "pi" => 'π',
        "varpi" => 'ϖ',
        "rho" => 'ρ',
        "varrho" => 'ϱ',
        "sigma" => 'σ',
        "varsigma" => 'ς',
        "tau" => 'τ',
        "upsilon" => 'υ',
        "phi" | "varphi" => 'φ',
        "chi" => 'χ',
        "psi" => 'ψ',
        "omega" => 'ω',
        "Gamma" => 'Γ',
        "Delta" => 'Δ',
        "Theta" => 'Θ',
        "Lambda" => 'Λ',
        "Xi" => 'Ξ',
        "Pi" => 'Π',
        "Sigma" => 'Σ',
        "Upsilon" => 'Υ',
        "Phi" => 'Φ',
        "Psi" => 'Ψ',
        "Omega" => 'Ω',
        _ => return None,
    })
}

/// A math symbol macro that reads as text.
fn symbol(name: &str) -> Option<&'static str> {
    Some(match name {
        "pm" => "±",
        "mp" => "∓",
        "times" => "×",
        "leq" | "le" => "≤",
        "geq" | "ge" => "≥",
        "sim" => "~",
        "approx" => "≈",
        "circ" | "degree" => "°",
        "prime" => "′",
        "ell" => "ℓ",
        "infty" => "∞",
        "," | ";" | ":" | " " | "quad" => " ",
        "!" | "left" | "right" | "mathrm" | "mathit" | "mathsf" | "mathbf" | "mathnormal"
        | "text" | "textrm" | "textit" | "textnormal" | "textup" | "mbox" | "rm" | "it"
        | "mathup" | "symrm" | "symup" | "textsuperscript" | "textsubscript" => "",
        "%" => "%",
        "{" => "(",
        "}" => ")",
        _ => return None,
    })
}

/// Takes the letters of a control word (what follows a backslash) from `characters`; empty when
/// the next character is not an ASCII letter.
pub(crate) fn control_word(characters: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut name = String::new();
    while let Some(next) = characters.next_if(char::is_ascii_alphabetic) {
        name.push(next);
    }
    name
}

/// Converts the content of simple inline math to text (`\alpha` → `α`, `^{2+}` → `2+`,
/// `p < 0.05` → `p < 0.05`); `None` when the math is not simple or the text would be too long.
pub(crate) fn math_to_text(math: &str) -> Option<String> {
    let mut out = String::new();
    let mut characters = math.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                let mut name = control_word(&mut characters);
                if name.is_empty() {
                    name.push(characters.next()?);
                } else {
                    // TeX ignores spaces after a control word.
                    while characters.next_if(|next| next.is_whitespace()).is_some() {}
                }
                if let Some(letter) = greek(&name) {
                    out.push(letter);
                } else if let Some(upright) = name.strip_prefix("up").and_then(greek) {
                    out.push(upright);
                } else {
                    out.push_str(symbol(&name)?);
                }
            }
            '^' | '_' | '{' | '}' => {}
            '~' => out.push(' '),
            character if character.is_whitespace() => out.push(' '),
            character if character.is_alphanumeric() => out.push(character),
            '+' | '-' | '/' | '.' | ',' | '=' | '<' | '>' | '\'' | '(' | ')' | '[' | ']' | '*'
            | '%' => out.push(character),
            _ => return None,
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split(' ').filter(|word| !word.is_empty()) {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    if collapsed.is_empty() || collapsed.chars().count() > MAX_CHARS {
        return None;
    }
    Some(collapsed)
}

#[cfg(test)]
mod tests {
    use super::math_to_text;

    #[test]
    fn simple_math_becomes_text() {
        let cases = [
            (r"\alpha", "α"),
            ("^+", "+"),
            (r"\mathrm{Ca}^{2+}", "Ca2+"),
            ("p < 0.05", "p < 0.05"),
            ("K_d", "Kd"),
            (r"\mu", "μ"),
            (r"^{\circ}", "°"),
            (r"\sim", "~"),
            (r"10^{-12}", "10-12"),
            (r"5\,\mu M", "5 μM"),
        ];
        for (math, text) in cases {
            assert_eq!(math_to_text(math).as_deref(), Some(text), "math {math:?}");
        }
    }

    #[test]
    fn complex_or_long_math_is_not_text() {
        for math in [
            r"k=\frac{V_{max}[S]}{K_m+[S]}",
            r"\sum_i x_i^2",
            "a+b+c+d+e+f+g+h",
            r"\mathbf{B}\cdot x",
            "",
            "  ",
            "x & y",
        ] {
            assert_eq!(math_to_text(math), None, "math {math:?}");
        }
    }
}
