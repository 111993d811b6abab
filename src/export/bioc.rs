//! BioC (Comeau et al., 2013), the interchange format of PubTator3 and the BioCreative tasks, in XML
//! (with the `BioC.dtd` doctype) and in BioC JSON (the `bioc` Python package's shape). One document
//! per input, one passage per paragraph (infon `type`), one annotation per entity (infons `type`,
//! `score`, `model`, and its source position), locations as document-level character offsets.

use quick_xml::escape::escape;

use super::{Layout, Tagged, passage_type, score_text};

/// Today as BioC's `date` (`YYYYMMDD`, UTC), from the system clock.
fn today() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = (seconds / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}{month:02}{day:02}")
}

/// The annotation infons, in a stable order.
fn annotation_infons(
    layout_annotation: &super::Annotation,
    model: &str,
) -> Vec<(&'static str, String)> {
    let mut infons = vec![
        ("type", layout_annotation.label.clone()),
        ("score", score_text(layout_annotation.score)),
        ("model", model.to_owned()),
        ("source_offset", layout_annotation.source.start.to_string()),
        (
            "source_length",
            (layout_annotation.source.end - layout_annotation.source.start).to_string(),
        ),
        ("line", layout_annotation.line.to_string()),
        ("column", layout_annotation.column.to_string()),
    ];
    // BioC's convention (PubTator3, BERN2): the normalized concept in an `identifier` infon.
    if let Some((id, _)) = &layout_annotation.identifier {
        infons.push(("identifier", id.clone()));
    }
    infons
}

/// A BioC XML collection of `documents`.
pub fn bioc_xml(documents: &[Tagged<'_>]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE collection SYSTEM \"BioC.dtd\">\n<collection>\n",
    );
    xml.push_str(&format!(
        "  <source>scitag {}</source>\n  <date>{}</date>\n  <key>scitag.key</key>\n",
        env!("CARGO_PKG_VERSION"),
        today()
    ));
    let mut next_id = 1usize;
    for document in documents {
        let layout = Layout::new(document, "\n");
        xml.push_str("  <document>\n");
        xml.push_str(&format!("    <id>{}</id>\n", escape(document.name)));
        xml.push_str(&format!(
            "    <infon key=\"model\">{}</infon>\n",
            escape(document.model)
        ));
        for (index, passage) in layout.passages.iter().enumerate() {
            xml.push_str("    <passage>\n");
            xml.push_str(&format!(
                "      <infon key=\"type\">{}</infon>\n      <offset>{}</offset>\n      <text>{}</text>\n",
                passage_type(passage.kind),
                passage.offset,
                escape(passage.text.as_str())
            ));
            for annotation in layout.annotations.iter().filter(|a| a.passage == index) {
                xml.push_str(&format!("      <annotation id=\"T{next_id}\">\n"));
                next_id += 1;
                for (key, value) in annotation_infons(annotation, document.model) {
                    xml.push_str(&format!(
                        "        <infon key=\"{key}\">{}</infon>\n",
                        escape(value.as_str())
                    ));
                }
                xml.push_str(&format!(
                    "        <location offset=\"{}\" length=\"{}\"/>\n        <text>{}</text>\n      </annotation>\n",
                    annotation.offset,
                    annotation.length,
                    escape(annotation.text.as_str())
                ));
            }
            xml.push_str("    </passage>\n");
        }
        xml.push_str("  </document>\n");
    }
    xml.push_str("</collection>\n");
    xml
}

/// A BioC JSON collection of `documents`.
pub fn bioc_json(documents: &[Tagged<'_>]) -> serde_json::Value {
    let mut next_id = 1usize;
    let documents: Vec<serde_json::Value> = documents
        .iter()
        .map(|document| {
            let layout = Layout::new(document, "\n");
            let passages: Vec<serde_json::Value> = layout
                .passages
                .iter()
                .enumerate()
                .map(|(index, passage)| {
                    let annotations: Vec<serde_json::Value> = layout
                        .annotations
                        .iter()
                        .filter(|annotation| annotation.passage == index)
                        .map(|annotation| {
                            let id = format!("T{next_id}");
                            next_id += 1;
                            let infons: serde_json::Map<String, serde_json::Value> =
                                annotation_infons(annotation, document.model)
                                    .into_iter()
                                    .map(|(key, value)| (key.to_owned(), value.into()))
                                    .collect();
                            serde_json::json!({
                                "id": id,
                                "infons": infons,
                                "text": annotation.text,
                                "locations": [{"offset": annotation.offset, "length": annotation.length}],
                            })
                        })
                        .collect();
                    serde_json::json!({
                        "offset": passage.offset,
                        "infons": {"type": passage_type(passage.kind)},
                        "text": passage.text,
                        "sentences": [],
                        "annotations": annotations,
                        "relations": [],
                    })
                })
                .collect();
            serde_json::json!({
                "id": document.name,
                "infons": {"model": document.model},
                "passages": passages,
                "annotations": [],
                "relations": [],
            })
        })
        .collect();
    serde_json::json!({
        "source": format!("scitag {}", env!("CARGO_PKG_VERSION")),
        "date": today(),
        "key": "scitag.key",
        "infons": {},
        "documents": documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::{SAMPLE, sample};

    #[test]
    fn xml_escapes_text_and_numbers_annotations_across_documents() {
        let analysis = sample();
        let tagged = [
            Tagged {
                name: "a&b.md",
                text: SAMPLE,
                analysis: &analysis,
                model: "m",
            },
            Tagged {
                name: "c.md",
                text: SAMPLE,
                analysis: &analysis,
                model: "m",
            },
        ];
        let xml = bioc_xml(&tagged);
        assert!(xml.contains("<id>a&amp;b.md</id>"), "{xml}");
        assert!(
            xml.contains("<annotation id=\"T6\">"),
            "ids run on across documents"
        );
        assert!(!xml.contains("<annotation id=\"T7\">"));
        assert!(
            xml.contains("<location offset=\"23\" length=\"18\"/>"),
            "{xml}"
        );
        assert!(xml.contains("<infon key=\"type\">heading</infon>"));
        assert_eq!(xml.matches("<document>").count(), 2);
    }

    #[test]
    fn json_has_the_bioc_shape() {
        let analysis = sample();
        let tagged = [Tagged {
            name: "a.md",
            text: SAMPLE,
            analysis: &analysis,
            model: "m",
        }];
        let json = bioc_json(&tagged);
        let passage = &json["documents"][0]["passages"][1];
        assert_eq!(passage["offset"], 23);
        assert_eq!(passage["annotations"][0]["locations"][0]["offset"], 23);
        assert_eq!(passage["annotations"][0]["infons"]["type"], "cell_type");
        assert_eq!(passage["annotations"][0]["infons"]["score"], "0.5500");
    }

    #[test]
    fn today_is_a_bioc_date() {
        let date = today();
        assert_eq!(date.len(), 8);
        assert!(date.starts_with("20"), "{date}");
    }
}
