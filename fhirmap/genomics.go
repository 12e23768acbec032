package fhirmap

import (
	"strings"

	"ombc-cds/logic"
)

// Genomics-reporting component codes (CODES.md "Genomics").
const (
	loincGeneStudied    = "48018-6"
	loincSourceClass    = "48002-0"
	loincVariantPresent = "LA9633-4"
	loincVariantAbsent  = "LA9634-2"
)

// variant is a BRCA1/2 genomics-reporting Variant waiting for its
// Diagnostic Implication (genomics-reporting v2+ puts clinical significance
// on a separate Observation that points at the variant with derivedFrom).
type variant struct {
	res          *resource
	marker       logic.Marker
	present      bool
	significance logic.Result
	known        bool // significance stated
}

type implication struct {
	res *resource
	src logic.Source
	obs *observationJSON
}

// geneOf reads the gene studied: HGNC 1100 BRCA1, 1101 BRCA2, with and
// without the "HGNC:" prefix (mCODE examples use both, CODES.md).
func geneOf(cs []observationComponent) string {
	for i := range cs {
		if !hasCode(&cs[i].Code, systemLOINC, loincGeneStudied) {
			continue
		}
		for _, c := range codings(cs[i].ValueCodeableConcept) {
			if str(c.System) != systemHGNC {
				continue
			}
			switch strings.TrimPrefix(strings.TrimSpace(str(c.Code)), "HGNC:") {
			case "1100":
				return "BRCA1"
			case "1101":
				return "BRCA2"
			}
		}
	}
	return ""
}

// originOf reads the genomic source class: LA6683-2 germline, LA6684-0
// somatic.
func originOf(cs []observationComponent) logic.Origin {
	for i := range cs {
		if !hasCode(&cs[i].Code, systemLOINC, loincSourceClass) {
			continue
		}
		switch {
		case hasCode(cs[i].ValueCodeableConcept, systemLOINC, "LA6683-2"):
			return logic.Germline
		case hasCode(cs[i].ValueCodeableConcept, systemLOINC, "LA6684-0"):
			return logic.Somatic
		}
	}
	return logic.OriginUnknown
}

// significanceOf reads the clinical-significance component (53037-8).
func significanceOf(cs []observationComponent) (logic.Result, string, bool) {
	for i := range cs {
		if !hasCode(&cs[i].Code, systemLOINC, loincClinicalSignificance) {
			continue
		}
		for _, c := range codings(cs[i].ValueCodeableConcept) {
			if str(c.System) == systemLOINC {
				if res := markerResult(systemLOINC, strings.TrimSpace(str(c.Code))); res != logic.ResultUnknown {
					return res, conceptText(cs[i].ValueCodeableConcept), true
				}
			}
		}
	}
	return logic.ResultUnknown, "", false
}

// variant records a Variant observation (69548-6) about BRCA1/2.
func (m *mapper) variant(r *resource, src logic.Source, o *observationJSON) {
	gene := geneOf(o.Component)
	if gene == "" {
		return // a variant in a gene the rules do not use
	}
	v := &variant{res: r, marker: logic.Marker{
		Source: src, Kind: logic.MarkerBRCA, Method: logic.MethodGenomic, Gene: gene,
		Origin: originOf(o.Component), Code: codeOf(&o.Code, obsDef{system: systemLOINC, code: "69548-6"}),
	}}
	switch {
	case hasCode(o.ValueCodeableConcept, systemLOINC, loincVariantAbsent):
		v.significance, v.known = logic.Negative, true
		v.marker.Text = "no variant detected"
	case hasCode(o.ValueCodeableConcept, systemLOINC, loincVariantPresent):
		v.present = true
	default:
		m.skip(r, "genetic variant assessment without a present/absent value")
		return
	}
	if v.present {
		// genomics-reporting v1 carried significance on the variant itself.
		if res, text, ok := significanceOf(o.Component); ok {
			v.significance, v.known, v.marker.Text = res, true, text
		}
	}
	m.variants = append(m.variants, v)
}

// implication records a Diagnostic Implication (an Observation with a
// clinical-significance component) for finishGenomics.
func (m *mapper) implication(r *resource, src logic.Source, o *observationJSON) {
	m.implied = append(m.implied, implication{res: r, src: src, obs: o})
}

// finishGenomics joins implications to their variants and emits one BRCA
// marker per variant. A present variant without a stated significance is
// reported with ResultUnknown: presence alone is not pathogenicity.
func (m *mapper) finishGenomics() {
	byRes := make(map[*resource]*variant, len(m.variants))
	for _, v := range m.variants {
		byRes[v.res] = v
	}
	for _, im := range m.implied {
		res, text, _ := significanceOf(im.obs.Component)
		if hasCode(&im.obs.Code, systemLOINC, loincClinicalSignificance) {
			for _, c := range codings(im.obs.ValueCodeableConcept) {
				if r := markerResult(str(c.System), strings.TrimSpace(str(c.Code))); r != logic.ResultUnknown && str(c.System) == systemLOINC {
					res, text = r, conceptText(im.obs.ValueCodeableConcept)
					break
				}
			}
		}
		attached := false
		for _, d := range im.obs.DerivedFrom {
			target := m.pool.resolve(str(d.Reference))
			if v := byRes[target]; v != nil && v.present {
				if !v.known || severity(res) > severity(v.significance) {
					v.significance, v.known = res, true
					v.marker.Text = text + " (" + im.res.ref + ")"
				}
				attached = true
			}
		}
		if attached {
			continue
		}
		if gene := geneOf(im.obs.Component); gene != "" {
			m.p.Markers = append(m.p.Markers, logic.Marker{
				Source: im.src, Kind: logic.MarkerBRCA, Method: logic.MethodGenomic, Gene: gene,
				Result: res, Origin: originOf(im.obs.Component), Text: text, Code: displayCode(&im.obs.Code),
			})
		}
	}
	for _, v := range m.variants {
		mk := v.marker
		mk.Result = v.significance
		if v.present && !v.known {
			mk.Result = logic.ResultUnknown
			mk.Text = "variant present; clinical significance not stated"
		}
		m.p.Markers = append(m.p.Markers, mk)
	}
}

// severity orders significance so that the most actionable implication wins
// when a variant has several: pathogenic over uncertain over benign.
func severity(r logic.Result) int {
	switch r {
	case logic.Positive:
		return 3
	case logic.Equivocal:
		return 2
	case logic.Negative:
		return 1
	}
	return 0
}
