#!/usr/bin/env python3
"""Write tests/golden/pipeline.json: the Hugging Face token-classification pipeline's entities on the
tiny fixture model (tests/fixtures/tiny-model), for every aggregation strategy.

scitag's `Decode::Pipeline` must reproduce these exactly (tests/engine_golden.rs): same spans, same
labels, scores within 1e-4. The pipeline reports character offsets; this script converts them to
UTF-8 byte offsets, which is what scitag uses.

Inputs (all written for these tests; the corpora stay out of the repository): sentences with long,
sub-word-heavy words, sentences with punctuation, Greek letters and other Unicode, and inputs longer than the model's 62-piece window (run with
stride=16, which the Rust test matches with `window_overlap: Some(16)`). The pipeline refuses a
stride with aggregation "none", and without a stride it truncates, so "none" covers only inputs that
fit in one window.

Run: /work/pyenv/bin/python scripts/make_goldens.py   (after scripts/make_fixture_model.py)
"""

import json
import os
import sys

import numpy as np
import transformers
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
MODEL = os.path.join(REPO, "tests", "fixtures", "tiny-model")
OUT = os.path.join(REPO, "tests", "golden", "pipeline.json")
STRIDE = 16
STRATEGIES = ["none", "simple", "first", "average", "max"]

HANDWRITTEN = [
    "Mouse thymus was used as a source of glucocorticoid receptor from normal CS lymphocytes.",
    "NF-κB activation by TNF-α requires IκBα degradation in HeLa cells.",
    "IFN-γ and TGF-β1 regulate the α-actinin and β-catenin genes.",
    "Schrödinger's equation is not a protein, but Na+/K+-ATPase is.",
    "The naïve CD4+ T cells (≥2 µM) expressed IL-2Rα; café-au-lait spots were absent.",
    "BRCA1, BRCA2 and p53 — three tumour suppressors — bind DNA.",
    "RNA polymerase II transcribes the c-fos, c-jun and junB mRNAs.",
    "Expression of the Bcl-2/Bax ratio in Jurkat T-cells was increased 3.5-fold (p<0.05).",
    "We used anti-CD3/CD28 mAbs to stimulate PBMCs from HIV-1-infected donors.",
    "The 5'-flanking region (nt -1234 to +56) of the hGH-V gene contains an AP-1 site.",
    "«Interleukin-6» and “interleukin-10” are cytokines; so is IL‐1β (with a Unicode hyphen).",
    "Human CD34⁺ progenitors differentiate into CD14⁺⁺CD16⁻ monocytes.",
    "T细胞 receptor signalling in 日本 mice 🧬 was normal.",
    "ω-3 fatty acids and ψ-globin pseudogenes: neither is in the vocabulary.",
    "STAT3!!! (phospho-Tyr705) ... [see Fig. 2A] {n=12}",
    "GATA-1,GATA-2,GATA-3 and PU.1/Spi-1 bound the promoter.",
    "e.g. IL-4-, IL-13- and IL-4/IL-13-induced STAT6 phosphorylation",
    "HLA-DRB1*04:01 and HLA-B27 alleles were genotyped.",
    "The U937, THP-1 and HL-60 cell lines were cultured in RPMI-1640.",
    "Glucocorticoid receptor (GR) binding to glucocorticoid response elements (GREs).",
    "v-erbA and c-erbA α1 were co-transfected with a TRE-tk-CAT reporter.",
    "Ca2+ influx, cAMP and PKC-θ activate NFAT in EL-4 thymoma cells.",
    "THE TUMOR NECROSIS FACTOR RECEPTOR-ASSOCIATED FACTOR 6 (TRAF6) BINDS IRAK.",
    "erythroid Krüppel-like factor (EKLF) activates β-globin transcription.",
    "Octamer-binding proteins Oct-1 and Oct-2 in B lymphocytes",
]

# Written for these tests (the corpus itself stays out of the repository): long, sub-word-heavy words.
SUBWORD_HEAVY = [
    "Phosphatidylinositol-3-kinase phosphorylates phosphoinositides in hypercholesterolemic macrophages.",
    "Immunoprecipitation showed heterodimerization of glucocorticoid receptors with mineralocorticoid receptors.",
    "Dexamethasone-induced apoptosis of thymocytes was abrogated by cycloheximide.",
    "Lipopolysaccharide-stimulated monocytes transcribe interleukin-1β and tumour necrosis factor.",
    "Electrophoretic mobility shift assays revealed transactivation by hepatocyte nuclear factor-4.",
    "Deoxyribonuclease I hypersensitivity mapped the immunoglobulin heavy-chain enhancer.",
    "Erythropoietin-dependent proliferation of erythroleukemia cells required Janus kinase 2.",
    "Cyclosporin A inhibited calcineurin-mediated dephosphorylation of NFATp in lymphoblastoid cells.",
    "Thrombospondin and fibronectin immunoreactivity were colocalized in megakaryocytes.",
    "Retinoic acid receptor-α heterodimerizes with the retinoid X receptor on direct repeats.",
    "The myeloperoxidase promoter is transcriptionally silent in nonhematopoietic fibroblasts.",
    "Granulocyte-macrophage colony-stimulating factor upregulated β2-integrin expression.",
    "Chloramphenicol acetyltransferase reporter constructs were electroporated into Jurkat cells.",
    "Antiphosphotyrosine immunoblotting detected tyrosine-phosphorylated p56lck and ZAP-70.",
    "Polymorphonuclear leukocytes from thalassemic patients overexpressed haptoglobin.",
    "Oligodeoxynucleotides spanning the κB enhancer competed for nuclear factor binding.",
    "Hypoxia-inducible factor-1α accumulates in normoxic erythroblasts after cobalt chloride treatment.",
    "Methylprednisolone pharmacodynamics in peripheral-blood mononuclear cells were quantified.",
    "Cytomegalovirus immediate-early proteins transactivate the interleukin-2 receptor α-chain gene.",
    "Epstein-Barr virus nuclear antigen 2 upregulates CD23 in Burkitt's lymphoma-derived lines.",
    "Autophosphorylation of the platelet-derived growth factor receptor β recruits phospholipase C-γ1.",
    "Spectrophotometric quantitation of glucocorticoid-responsive transcription in HepG2 hepatoblastoma cells.",
    "Staurosporine, a broad-spectrum serine/threonine kinase inhibitor, prevented NF-κB translocation.",
    "Transcriptional autoregulation of c-myb in myeloblastic leukemia lines was demonstrated.",
    "Corticosteroid-binding globulin immunoreactivity was undetectable in thymocytes.",
    "Superantigen-activated CD4+CD45RO+ memory lymphocytes secreted interferon-γ.",
    "Heterogeneous nuclear ribonucleoprotein A1 binds the 3'-untranslated region of GM-CSF mRNA.",
    "Immunohistochemistry localized cyclooxygenase-2 to synoviocytes and chondrocytes.",
    "Erythroid-specific δ-aminolevulinate synthase transcription depends on GATA-1 sites.",
    "Bromodeoxyuridine incorporation by lymphoblasts was suppressed by 1,25-dihydroxyvitamin D3.",
]


def byte_offset(text, char_offset):
    return len(text[:char_offset].encode("utf-8"))


def main():
    tokenizer = AutoTokenizer.from_pretrained(MODEL)
    model = AutoModelForTokenClassification.from_pretrained(MODEL).eval()
    window = tokenizer.model_max_length - tokenizer.num_special_tokens_to_add()

    def pieces(text):
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    def subword_ratio(text):
        tokens = tokenizer.tokenize(text)
        return sum(token.startswith("##") for token in tokens) / max(1, len(tokens))

    long_inputs = [
        " ".join(HANDWRITTEN[:4]),
        " ".join(HANDWRITTEN[:8]),
        " ".join(SUBWORD_HEAVY[:6]),
        " ".join(SUBWORD_HEAVY[10:25] + HANDWRITTEN[10:14]),
    ]
    texts = HANDWRITTEN + SUBWORD_HEAVY + long_inputs
    ratio = sum(subword_ratio(text) for text in SUBWORD_HEAVY) / len(SUBWORD_HEAVY)
    print(f"sub-word pieces in SUBWORD_HEAVY: {ratio:.0%}")
    for text in long_inputs:
        if pieces(text) <= window:
            raise SystemExit(f"meant to be longer than the window ({window}): {text[:60]}...")

    ner = pipeline("token-classification", model=model, tokenizer=tokenizer, device="cpu")
    cases = []
    for text in texts:
        fits = pieces(text) <= window
        results = {}
        for strategy in STRATEGIES:
            if strategy == "none" and not fits:
                continue
            kwargs = {"aggregation_strategy": strategy}
            if strategy != "none":
                kwargs["stride"] = STRIDE
            entities = ner(text, **kwargs)
            # [start byte, end byte, label, score]
            results[strategy] = [
                [
                    byte_offset(text, int(entity["start"])),
                    byte_offset(text, int(entity["end"])),
                    entity.get("entity_group", entity.get("entity")),
                    round(float(entity["score"]), 6),
                ]
                for entity in entities
            ]
        cases.append({"text": text, "pieces": pieces(text), "entities": results})

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    golden = {
        "generator": "scripts/make_goldens.py",
        "transformers": transformers.__version__,
        "model": "tests/fixtures/tiny-model",
        "window": window,
        "stride": STRIDE,
        "entity": "[start, end, label, score]; start/end in UTF-8 bytes",
        "cases": cases,
    }
    # One line per input and strategy keeps the file small and its diffs readable.
    with open(OUT, "w", encoding="utf-8") as handle:
        header = {key: value for key, value in golden.items() if key != "cases"}
        handle.write(json.dumps(header, ensure_ascii=False)[:-1] + ', "cases": [\n')
        for index, case in enumerate(cases):
            handle.write(' {"text": ' + json.dumps(case["text"], ensure_ascii=False))
            handle.write(', "pieces": ' + str(case["pieces"]) + ', "entities": {\n')
            lines = [
                f'  "{strategy}": ' + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))
                for strategy, entities in case["entities"].items()
            ]
            handle.write(",\n".join(lines) + "}}" + ("," if index + 1 < len(cases) else "") + "\n")
        handle.write("]}\n")
    json.load(open(OUT, encoding="utf-8"))  # the hand-written layout must still be JSON
    counts = {s: sum(len(c["entities"].get(s, [])) for c in cases) for s in STRATEGIES}
    print(f"{len(cases)} inputs ({len(long_inputs)} longer than the window); entities per strategy: {counts}")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    np.random.seed(0)
    main()
