//! The built-in command and environment table: what each LaTeX command does to the prose.
//!
//! Signatures are written xparse-style: `o` an optional `[...]` argument, `m` a mandatory `{...}`
//! argument (or one token), `v` a mandatory argument read verbatim (a URL: `%`, `#` and `_` are not
//! special in it).

use super::super::ParagraphKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Action {
    /// The command and its arguments go; they read as a removed word (a pending space).
    Drop(&'static str),
    /// The command goes at zero length (font switches, `\-`, `\noindent`).
    Nothing,
    /// Keep the text of the arguments in the mask (bit `i` for argument `i`), drop the others.
    Keep(&'static str, u16),
    /// The arguments in the mask become paragraphs of their own. Headings and titles end the current
    /// paragraph; captions and footnotes sit inside it.
    Segment(&'static str, u16, ParagraphKind),
    /// A reference: dropped, with a synthetic placeholder that is never part of an entity.
    Placeholder(&'static str, &'static str),
    /// Replaced by this text (Atomic). `word`: a space after the command in the source is kept (TeX
    /// would swallow it, but authors of `\LaTeX is` mean a space).
    Text(&'static str, bool),
    /// Reads as a space (`\,`, `\quad`, `~`).
    Space,
    /// An accent with this combining mark.
    Accent(char),
    /// Handled by the extractor itself.
    Special(Special),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Special {
    Begin,
    End,
    Item,
    Par,
    LineBreak,
    Verb,
    InlineVerbatim,
    Define,
    Def,
    Let,
    DefineEnvironment,
    InlineMathOpen,
    DisplayMathOpen,
    Ensuremath,
    Chemistry,
    Quantity,
    Unit,
    Number,
    QuantityRange,
    NumberRange,
    Angle,
    Cmidrule,
    Vskip,
}

/// The mask bit of argument `index`.
const fn arg(index: u32) -> u16 {
    1 << index
}

/// The built-in action for a command name (without backslash and star).
pub(super) fn command(name: &str) -> Option<Action> {
    use Action::*;
    use ParagraphKind::{Abstract, Caption, Footnote, Heading, Title};
    let action = match name {
        // Escaped specials and symbols.
        "%" => Text("%", false),
        "&" => Text("&", false),
        "$" => Text("$", false),
        "#" => Text("#", false),
        "_" => Text("_", false),
        "{" => Text("{", false),
        "}" => Text("}", false),
        "textbackslash" => Text("\\", false),
        "ldots" | "dots" | "textellipsis" => Text("…", true),
        "textendash" => Text("–", false),
        "textemdash" => Text("—", false),
        "LaTeX" => Text("LaTeX", true),
        "LaTeXe" => Text("LaTeX2e", true),
        "TeX" => Text("TeX", true),
        "BibTeX" => Text("BibTeX", true),
        "eg" => Text("e.g.", true),
        "ie" => Text("i.e.", true),
        "etal" => Text("et al.", true),
        "ss" => Text("ß", false),
        "SS" => Text("SS", false),
        "o" => Text("ø", false),
        "O" => Text("Ø", false),
        "aa" => Text("å", false),
        "AA" => Text("Å", false),
        "ae" => Text("æ", false),
        "AE" => Text("Æ", false),
        "oe" => Text("œ", false),
        "OE" => Text("Œ", false),
        "l" => Text("ł", false),
        "L" => Text("Ł", false),
        "i" => Text("ı", false),
        "j" => Text("ȷ", false),
        "textmu" | "micro" | "textmicro" => Text("µ", false),
        "textdegree" | "degree" => Text("°", false),
        "celsius" | "degreeCelsius" | "textcelsius" => Text("°C", false),
        "textpm" => Text("±", false),
        "texttimes" => Text("×", false),
        "textasciitilde" => Text("~", false),
        "textasciicircum" => Text("^", false),
        "textunderscore" => Text("_", false),
        "textbar" => Text("|", false),
        "textless" => Text("<", false),
        "textgreater" => Text(">", false),
        "slash" => Text("/", false),
        "textquotedblleft" => Text("“", false),
        "textquotedblright" => Text("”", false),
        "textquoteleft" => Text("‘", false),
        "textquoteright" => Text("’", false),
        "textregistered" => Text("®", false),
        "texttrademark" => Text("™", false),
        "copyright" | "textcopyright" => Text("©", false),
        "S" | "textsection" => Text("§", false),
        "P" | "textparagraph" => Text("¶", false),
        "dag" | "textdagger" => Text("†", false),
        "ddag" | "textdaggerdbl" => Text("‡", false),
        "pounds" | "textsterling" => Text("£", false),
        "euro" | "texteuro" => Text("€", false),
        "textperthousand" => Text("‰", false),
        "textperiodcentered" => Text("·", false),
        "textbullet" => Text("•", false),
        "checkmark" => Text("✓", false),
        // Spacing.
        "," | ";" | ":" | ">" | " " | "quad" | "qquad" | "enspace" | "thinspace" | "medspace"
        | "thickspace" | "enskip" | "space" | "nobreakspace" | "newline" | "hfill" => Space,
        "\n" | "\t" | "\r" => Space,
        "linebreak" | "nolinebreak" => Drop("o"),
        "-" | "/" | "@" | "!" | "xspace" | "noindent" | "indent" | "centering" | "raggedright"
        | "raggedleft" | "protect" | "relax" | "null" | "leavevmode" | "sloppy" | "fussy"
        | "makeatletter" | "makeatother" | "nobreak" | "vfill" | "smallskip" | "medskip"
        | "bigskip" | "clearpage" | "cleardoublepage" | "newpage" | "pagebreak" | "nopagebreak"
        | "maketitle" | "tableofcontents" | "listoffigures" | "listoftables" | "appendix"
        | "frontmatter" | "mainmatter" | "backmatter" | "hline" | "toprule" | "midrule"
        | "bottomrule" | "endhead" | "endfirsthead" | "endfoot" | "endlastfoot" | "selectfont"
        | "em" | "bf" | "it" | "rm" | "sf" | "tt" | "sc" | "sl" | "up" | "md" | "itshape"
        | "bfseries" | "mdseries" | "upshape" | "slshape" | "scshape" | "normalfont"
        | "rmfamily" | "sffamily" | "ttfamily" | "tiny" | "scriptsize" | "footnotesize"
        | "small" | "normalsize" | "large" | "Large" | "LARGE" | "huge" | "Huge" | "boldmath"
        | "unboldmath" | "printbibliography" | "onecolumn" | "twocolumn" | "flushbottom"
        | "raggedbottom" | "strut" | "bigstrut" | "ignorespaces" | "unskip" | "break"
        | "allowbreak" | "hfil" | "vfil" | "hss" | "and" | "AND" | "FloatBarrier"
        | "justifying" | "doublespacing" | "singlespacing" | "onehalfspacing" | "today" => Nothing,
        "footnotemark" => Drop("o"),
        // Dropped with their arguments.
        "cite" | "citep" | "citet" | "citealp" | "citealt" | "citeauthor" | "citeyear"
        | "citeyearpar" | "citenum" | "citetext" | "parencite" | "autocite" | "textcite"
        | "footcite" | "smartcite" | "supercite" | "fullcite" | "Cite" | "Citep" | "Citet"
        | "Parencite" | "Textcite" | "Autocite" | "Citeauthor" | "Smartcite" | "nocite"
        | "citeA" | "citeN" | "shortcite" | "citeasnoun" | "citeauthoryear" => Drop("oom"),
        "cites" | "parencites" | "textcites" | "autocites" => Drop("oomm"),
        "label" | "index" | "glossary" | "input" | "include" | "includeonly" | "bibliography"
        | "pagestyle" | "thispagestyle" | "graphicspath" | "hypersetup" | "pagenumbering"
        | "linespread" | "setcitestyle" | "geometry" | "date" | "email" | "thanks"
        | "hyphenation" | "sisetup" | "vspace" | "hspace" | "phantom" | "hphantom" | "vphantom"
        | "cline" | "orcid" | "corres" | "corresp" | "doi" | "subjclass" | "tnoteref" | "fnref"
        | "ead" | "cortext" | "authormark" | "jyear" | "jvol" | "jnum" | "jmonth" | "received"
        | "revised" | "accepted" | "access" | "appnotes" | "copyrightyear" | "pubyear"
        | "history" | "editor" | "firstpage" | "lastpage" | "DOI" | "titlerunning"
        | "authorrunning" | "shorttitle" | "shortauthors" | "runningtitle" | "runningauthor"
        | "VerbatimFootnotes" | "ExecuteOptions" | "ProcessOptions" | "ProvidesPackage"
        | "ProvidesFile" | "NeedsTeXFormat" | "includesvg" | "bibliographystyle" | "setstretch"
        | "lstset" | "usetikzlibrary" | "pgfplotsset" | "tikzset" | "theoremstyle"
        | "numberwithin" | "counterwithin" | "counterwithout" | "urlstyle" | "newlength"
        | "allowdisplaybreaks" | "rowcolor" | "arraystretch" | "mathsurround"
        | "acknowledgments" => Drop("m"),
        "url" | "nolinkurl" | "path" => Drop("v"),
        "includegraphics" | "addbibresource" | "color" | "todo" | "bibitem" | "affil"
        | "affiliation" | "address" | "author" | "institute" | "inst" | "captionsetup"
        | "ProvidesClass" | "LoadClass" | "columncolor" | "cellcolor" => Drop("om"),
        "usepackage" | "RequirePackage" | "documentclass" => Drop("omo"),
        "setlength" | "addtolength" | "setcounter" | "addtocounter" | "fontsize" | "settowidth"
        | "settoheight" | "pdfbookmark" => Drop("mm"),
        "definecolor" => Drop("mmm"),
        "newacronym" | "DeclareSIUnit" => Drop("omm"),
        "newtheorem" => Drop("momo"),
        "newcounter" => Drop("mo"),
        "rule" => Drop("omm"),
        "acrodef" => Drop("mom"),
        "newglossaryentry" => Drop("mm"),
        "pdfinfo" => Drop("m"),
        // Cross-references: a synthetic placeholder keeps "see Fig. 1)" readable.
        "ref" | "eqref" | "cref" | "Cref" | "autoref" | "Autoref" | "pageref" | "nameref"
        | "vref" | "Vref" | "subref" | "cpageref" | "Cpageref" | "labelcref" => {
            Placeholder("m", "1")
        }
        "crefrange" | "Crefrange" => Placeholder("mm", "1–2"),
        // eLife and similar classes: `\FIG{tree}` prints "Figure 1".
        "FIG" => Placeholder("m", "Figure 1"),
        "FIGS" => Placeholder("m", "Figures 1"),
        "TABLE" => Placeholder("m", "Table 1"),
        "FIGSUPP" => Placeholder("om", "Figure 1—figure supplement 1"),
        "figsupp" => Segment("omm", arg(0) | arg(1), Caption),
        "figdata" | "tabledata" | "supplfile" => Segment("m", arg(0), Caption),
        "processtable" => Segment("mmm", arg(0) | arg(1), Caption),
        "authfn" | "markright" => Drop("m"),
        "contrib" | "presentadd" | "lhead" | "rhead" | "chead" | "lfoot" | "rfoot" | "cfoot"
        | "fancyhead" | "fancyfoot" => Drop("om"),
        "fancyplain" | "markboth" | "corr" => Drop("mm"),
        "addcontentsline" => Drop("mmm"),
        // Text arguments kept.
        "emph" | "centerline" | "textit" | "textbf" | "textsc" | "textsf" | "textrm" | "texttt"
        | "textup" | "textnormal" | "textsl" | "textmd" | "underline" | "uline" | "mbox"
        | "hbox" | "text" | "textsuperscript" | "textsubscript" | "fbox" | "hl" | "sout" | "st"
        | "ul" | "so" | "caps" | "textls" | "uppercase" | "lowercase" | "MakeUppercase"
        | "MakeLowercase" | "mathrm" | "mathit" | "seqsplit" | "enquote" | "textins"
        | "textdel" | "emphasis" | "strong" | "italic" | "bold" | "textoverline"
        | "NoCaseChange" => Keep("m", arg(0)),
        "href" => Keep("vm", arg(1)),
        "hyperref" => Keep("om", arg(1)),
        "hyperlink" | "hypertarget" => Keep("mm", arg(1)),
        "textcolor" | "colorbox" => Keep("omm", arg(2)),
        "fcolorbox" => Keep("mmm", arg(2)),
        "foreignlanguage" => Keep("omm", arg(2)),
        "makebox" | "framebox" => Keep("oom", arg(2)),
        "parbox" => Keep("oooom", arg(4)),
        "raisebox" => Keep("moom", arg(3)),
        "scalebox" => Keep("mom", arg(2)),
        "resizebox" => Keep("mmm", arg(2)),
        "rotatebox" => Keep("omm", arg(2)),
        "multicolumn" => Keep("mmm", arg(2)),
        "multirow" => Keep("omomom", arg(5)),
        "lettrine" => Keep("omm", arg(1)),
        "foreignquote" => Keep("mm", arg(1)),
        "abbr" | "acs" | "acl" | "acf" | "acsp" | "aclp" | "acfp" | "Acl" | "Acf" | "Acs" => {
            Keep("m", arg(0))
        }
        // Paragraphs of their own.
        "part" | "chapter" | "section" | "subsection" | "subsubsection" | "paragraph"
        | "subparagraph" | "addsec" | "addchap" | "minisec" => Segment("om", arg(1), Heading),
        "title" => Segment("om", arg(1), Title),
        "subtitle" => Segment("om", arg(1), Title),
        "abstract" => Segment("m", arg(0), Abstract),
        "caption" | "subcaption" | "legend" => Segment("om", arg(1), Caption),
        "captionof" => Segment("mom", arg(2), Caption),
        "footnote" | "footnotetext" | "tablefootnote" | "marginpar" | "sidenote" | "marginnote" => {
            Segment("om", arg(1), Footnote)
        }
        // Accents.
        "`" => Accent('\u{300}'),
        "'" => Accent('\u{301}'),
        "^" => Accent('\u{302}'),
        "~" => Accent('\u{303}'),
        "=" => Accent('\u{304}'),
        "u" => Accent('\u{306}'),
        "." => Accent('\u{307}'),
        "\"" => Accent('\u{308}'),
        "r" => Accent('\u{30a}'),
        "H" => Accent('\u{30b}'),
        "v" => Accent('\u{30c}'),
        "d" => Accent('\u{323}'),
        "c" => Accent('\u{327}'),
        "k" => Accent('\u{328}'),
        "b" => Accent('\u{331}'),
        "t" => Accent('\u{361}'),
        // Handled by the extractor.
        "begin" => Special(self::Special::Begin),
        "end" => Special(self::Special::End),
        "item" => Special(self::Special::Item),
        "par" => Special(self::Special::Par),
        "\\" => Special(self::Special::LineBreak),
        "verb" => Special(self::Special::Verb),
        "lstinline" | "mintinline" | "mint" => Special(self::Special::InlineVerbatim),
        "newcommand"
        | "renewcommand"
        | "providecommand"
        | "DeclareRobustCommand"
        | "DeclareMathOperator"
        | "NewDocumentCommand"
        | "RenewDocumentCommand"
        | "ProvideDocumentCommand"
        | "DeclareDocumentCommand" => Special(self::Special::Define),
        "def" | "gdef" | "edef" | "xdef" => Special(self::Special::Def),
        "let" | "futurelet" => Special(self::Special::Let),
        "newenvironment"
        | "renewenvironment"
        | "NewDocumentEnvironment"
        | "RenewDocumentEnvironment" => Special(self::Special::DefineEnvironment),
        "(" => Special(self::Special::InlineMathOpen),
        "[" => Special(self::Special::DisplayMathOpen),
        ")" | "]" => Nothing,
        "ensuremath" => Special(self::Special::Ensuremath),
        "ce" | "ch" => Special(self::Special::Chemistry),
        "SI" | "qty" => Special(self::Special::Quantity),
        "si" | "unit" => Special(self::Special::Unit),
        "num" => Special(self::Special::Number),
        "SIrange" | "qtyrange" => Special(self::Special::QuantityRange),
        "numrange" => Special(self::Special::NumberRange),
        "ang" => Special(self::Special::Angle),
        "cmidrule" => Special(self::Special::Cmidrule),
        "vskip" | "hskip" | "kern" => Special(self::Special::Vskip),
        _ => {
            if let Some(letter) = name
                .strip_prefix("text")
                .or_else(|| name.strip_prefix("up"))
                .and_then(super::super::mathtext::greek)
            {
                return Some(Action::Text(greek_str(letter), false));
            }
            return None;
        }
    };
    Some(action)
}

fn greek_str(letter: char) -> &'static str {
    const GREEK: &str = "αβγδεζηθϑικλμνξοπϖρϱσςτυφχψωΓΔΘΛΞΠΣΥΦΨΩ";
    GREEK
        .char_indices()
        .find(|(_, character)| *character == letter)
        .map_or("", |(index, character)| {
            &GREEK[index..index + character.len_utf8()]
        })
}

/// What an environment does to the prose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Environment {
    /// The body, up to the matching `\end`, is skipped; it reads as a removed word (math, code).
    Skip,
    /// Like `Skip`, but the body is read verbatim (no nesting, no comments): verbatim, lstlisting.
    Verbatim,
    /// Items: `\item` starts a list-item paragraph. `labels`: `\item[label]` keeps the label.
    List { labels: bool },
    /// The body is an abstract.
    Abstract,
    /// A block: paragraph boundaries at begin and end (quote, center, theorem).
    Block,
    /// A float: only captions and tables inside it are prose.
    Float,
    /// A table: cells split at `&` and `\\` become table-cell paragraphs.
    Tabular,
    /// The document body.
    Document,
}

/// The built-in environment table: (behaviour, argument signature after `\begin{name}`).
pub(super) fn environment(name: &str) -> Option<(Environment, &'static str)> {
    use Environment::*;
    let base = name.strip_suffix('*').unwrap_or(name);
    let entry = match base {
        "equation" | "align" | "gather" | "multline" | "flalign" | "eqnarray" | "math"
        | "displaymath" | "split" | "subequations" | "dmath" | "dgroup" | "IEEEeqnarray"
        | "cases" | "array" | "matrix" | "pmatrix" | "bmatrix" | "tikzpicture" | "picture"
        | "pspicture" | "algorithmic" | "algorithm" | "algorithm2e" | "thebibliography"
        | "filecontents" | "comment" | "axis" | "tikzcd" | "forest" | "circuitikz" | "lilypond"
        | "asy" | "dot2tex" | "gnuplot" | "sagesilent" | "sageblock" | "pycode" | "CD" | "xy" => {
            (Skip, "")
        }
        "alignat" | "xalignat" | "xxalignat" => (Skip, ""),
        "verbatim" | "Verbatim" | "BVerbatim" | "LVerbatim" | "lstlisting" | "minted" | "alltt"
        | "spverbatim" | "verbatimtab" | "listing" | "code" | "Code" | "lstinputlisting"
        | "pyconsole" | "jlcode" | "rcode" | "Sinput" | "Soutput" | "Schunk" | "knitrout"
        | "tcblisting" => (Verbatim, ""),
        "itemize" | "enumerate" | "compactitem" | "compactenum" | "inparaenum" | "asparaenum" => {
            (List { labels: false }, "o")
        }
        "description" | "compactdesc" | "asparadesc" => (List { labels: true }, "o"),
        "abstract" => (Abstract, "o"),
        "quote" | "quotation" | "verse" | "center" | "flushleft" | "flushright" | "theorem"
        | "lemma" | "proof" | "definition" | "remark" | "example" | "corollary" | "proposition"
        | "conjecture" | "note" | "notes" | "acknowledgements" | "acknowledgments" | "keywords"
        | "singlespace" | "doublespace" | "onehalfspace" | "small" | "footnotesize"
        | "landscape" | "frame" | "block" | "alertblock" | "exampleblock" | "boxedminipage"
        | "mdframed" | "tcolorbox" | "framed" | "shaded" | "leftbar" | "epigraph" | "titlepage"
        | "appendices" | "fullwidth" | "widetext" | "threeparttable" => (Block, "o"),
        "multicols" | "spacing" => (Block, "om"),
        "minipage" => (Block, "ooom"),
        "figure" | "table" | "SCfigure" | "SCtable" | "sidewaysfigure" | "sidewaystable"
        | "figwindow" | "tabwindow" | "marginfigure" | "margintable" | "subfigure" | "subtable"
        | "floatrow" | "sidecaption" => (Float, "o"),
        "wrapfigure" | "wraptable" => (Float, "omom"),
        "tabular" => (Tabular, "om"),
        "tabularx" | "tabulary" | "tabular*" | "xtabular" | "tabu" => (Tabular, "mom"),
        "longtable" | "supertabular" | "mpsupertabular" => (Tabular, "om"),
        "document" => (Document, ""),
        _ => return None,
    };
    Some(entry)
}
