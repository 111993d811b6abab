#!/usr/bin/env python3
"""Load scitag's exports with the PyPI `bioc` package (a real consumer) and check every annotation.

Usage: check_exports.py DIR   (DIR holds out.bioc.xml, out.bioc.json, out.pubtator, brat/*.txt+.ann)

For BioC XML and JSON: the collection loads, and every annotation's text equals the passage text at its
location (`bioc.validate`, plus an explicit check). For PubTator: `bioc.pubtator` reads it and its
validator finds every mention at its offsets in title + "\\n" + text. For brat: `bioc.brat` reads each
pair and its validator finds every entity's text at its spans. Prints one line per format; exit 1 on the
first problem.
"""
import sys
from pathlib import Path

import bioc
from bioc import biocjson, biocxml, brat, pubtator
from bioc.brat.validator import validate as validate_brat


def check_collection(collection, what):
    assert collection.documents, f"{what}: no documents"
    annotations = 0
    for document in collection.documents:
        assert document.passages, f"{what}: {document.id} has no passage"
        for passage in document.passages:
            assert passage.infons.get("type"), f"{what}: passage without a type"
            for annotation in passage.annotations:
                location = annotation.total_span
                start = location.offset - passage.offset
                got = passage.text[start:start + location.length]
                assert got == annotation.text, f"{what}: {annotation.id} {got!r} != {annotation.text!r}"
                assert annotation.infons["type"], f"{what}: {annotation.id} has no type"
                float(annotation.infons["score"])
                annotations += 1
    bioc.validate(collection)  # raises on a mismatch
    assert annotations, f"{what}: no annotations"
    return len(collection.documents), annotations


def main():
    out = Path(sys.argv[1])
    with open(out / "out.bioc.xml", encoding="utf-8") as fp:
        xml = biocxml.load(fp)
    print("bioc-xml: %d documents, %d annotations" % check_collection(xml, "bioc-xml"))
    with open(out / "out.bioc.json", encoding="utf-8") as fp:
        js = biocjson.load(fp)
    print("bioc-json: %d documents, %d annotations" % check_collection(js, "bioc-json"))
    assert [d.id for d in xml.documents] == [d.id for d in js.documents]

    docs = pubtator.loads((out / "out.pubtator").read_text(encoding="utf-8"))
    assert len(docs) == len(xml.documents), (len(docs), len(xml.documents))
    count = 0
    for doc in docs:
        pubtator.validate(doc)  # raises on a mismatch
        count += len(doc.annotations)
    assert count, "pubtator: no annotations"
    assert len({doc.pmid for doc in docs}) == len(docs), "pubtator: IDs are not unique"
    print(f"pubtator: {len(docs)} documents, {count} annotations")

    pairs = sorted((out / "brat").glob("*.ann"))
    assert pairs, "brat: no .ann files"
    count = 0
    for ann in pairs:
        with open(ann.with_suffix(".txt"), encoding="utf-8") as text_fp, open(ann, encoding="utf-8") as ann_fp:
            document = brat.load(text_fp, ann_fp, docid=ann.stem)
        validate_brat(document)  # raises on a mismatch
        count += len(document.entities)
    assert count, "brat: no entities"
    print(f"brat: {len(pairs)} documents, {count} entities")


if __name__ == "__main__":
    main()
