package fhirmap

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// observationJSON is the part of an Observation mapping reads. Local
// struct: decoding the whole samply Observation (some forty fields, most
// never read) was most of the time of a typical request. Status is a plain
// string because samply's enum turns a missing status into "registered" and
// fails the resource on an unknown one (DESIGN.md §1.6); the fields read
// keep their samply types, so a bad comparator or a wrongly typed value
// still makes the resource unreadable.
type observationJSON struct {
	Status               *string                `json:"status"`
	Code                 fhir.CodeableConcept   `json:"code"`
	Subject              *fhir.Reference        `json:"subject"`
	EffectiveDateTime    *string                `json:"effectiveDateTime"`
	EffectivePeriod      *fhir.Period           `json:"effectivePeriod"`
	EffectiveInstant     *string                `json:"effectiveInstant"`
	Issued               *string                `json:"issued"`
	ValueQuantity        *fhir.Quantity         `json:"valueQuantity"`
	ValueCodeableConcept *fhir.CodeableConcept  `json:"valueCodeableConcept"`
	ValueString          *string                `json:"valueString"`
	ValueBoolean         *bool                  `json:"valueBoolean"`
	ValueInteger         *int                   `json:"valueInteger"`
	DataAbsentReason     *fhir.CodeableConcept  `json:"dataAbsentReason"`
	Interpretation       []fhir.CodeableConcept `json:"interpretation"`
	DerivedFrom          []fhir.Reference       `json:"derivedFrom"`
	Component            []observationComponent `json:"component"`
}

// observationComponent is the part of Observation.component mapping reads.
type observationComponent struct {
	Code                 fhir.CodeableConcept  `json:"code"`
	ValueCodeableConcept *fhir.CodeableConcept `json:"valueCodeableConcept"`
}

// observation maps one Observation whose code the rules use.
func (m *mapper) observation(r *resource) {
	o, err := decodeObservation(r.raw, m.slow, &m.slabs)
	if err != nil {
		m.skip(r, "unreadable Observation: %v", err)
		return
	}
	def, known := m.v.lookup(&o.Code)
	implication := !known && hasComponent(o.Component, loincClinicalSignificance) || known && def.kind == obsImplication
	if !known && !implication {
		return // not a code the rules use
	}
	if o.Subject != nil && m.otherPatient(str(o.Subject.Reference)) {
		m.skip(r, "subject %s is another patient", str(o.Subject.Reference))
		return
	}
	if !m.usableObservationStatus(r, o.Status) {
		return
	}
	src := logic.Source{Ref: r.ref, Date: firstDate(o.EffectiveDateTime, periodStart(o.EffectivePeriod), o.EffectiveInstant, o.Issued)}
	if implication {
		// A copy: finishGenomics keeps it, and taking o's address here
		// would put every decoded Observation on the heap.
		kept := o
		m.implication(r, src, &kept)
		return
	}
	code := codeOf(&o.Code, def)
	switch def.kind {
	case obsStaging:
		value, sub, vcode, ok := stagingFromConcept(def.staging, o.ValueCodeableConcept)
		if !ok {
			m.skip(r, "staging value %s not recognised", describeConcept(o.ValueCodeableConcept))
			return
		}
		m.p.Staging = append(m.p.Staging, logic.Staging{Source: src, Kind: def.staging, Value: value, Sub: sub, Code: vcode})
	case obsMarker:
		m.marker(src, def, code, &o)
	case obsVariant:
		m.variant(r, src, &o)
	case obsHistory:
		present := o.ValueBoolean == nil || *o.ValueBoolean // mCODE: value false negates
		m.p.MetastasisHistory = append(m.p.MetastasisHistory, logic.MetastasisHistory{Source: src, Present: present, Code: code})
	case obsStatus:
		status := logic.DiseaseStatusUnknown
		vcode := displayCode(o.ValueCodeableConcept)
		for _, c := range codings(o.ValueCodeableConcept) {
			if s := diseaseStatusOf(str(c.System), strings.TrimSpace(str(c.Code))); s != logic.DiseaseStatusUnknown {
				status, vcode = s, toCode(c)
				break
			}
		}
		m.p.DiseaseStatus = append(m.p.DiseaseStatus, logic.StatusReport{Source: src, Status: status, Code: vcode})
	case obsECOG, obsKarnofsky:
		m.performance(r, src, def.kind, &o)
	}
}

// usableObservationStatus applies the R4 observation-status value set:
// final, amended, corrected and preliminary carry a result; registered has
// none yet; cancelled and entered-in-error are not facts.
func (m *mapper) usableObservationStatus(r *resource, status *string) bool {
	if status == nil || *status == "" {
		m.skip(r, "Observation.status missing (required)")
		return false
	}
	switch *status {
	case "final", "amended", "corrected", "preliminary":
		return true
	case "registered", "cancelled", "entered-in-error", "unknown":
		m.skip(r, "Observation.status %s: no usable result", *status)
	default:
		m.skip(r, "Observation.status %q is not an R4 code", *status)
	}
	return false
}

// lookup returns the definition of the first recognised coding.
func (v *vocab) lookup(cc *fhir.CodeableConcept) (obsDef, bool) {
	for _, c := range codings(cc) {
		if d, ok := v.obs[str(c.System)+"|"+strings.TrimSpace(str(c.Code))]; ok {
			return d, true
		}
	}
	return obsDef{}, false
}

// codeOf returns the coding that matched def, for display.
func codeOf(cc *fhir.CodeableConcept, def obsDef) logic.Code {
	for _, c := range codings(cc) {
		if str(c.System) == def.system && strings.TrimSpace(str(c.Code)) == def.code {
			return toCode(c)
		}
	}
	return displayCode(cc)
}

func periodStart(p *fhir.Period) *string {
	if p == nil {
		return nil
	}
	return p.Start
}

func periodEnd(p *fhir.Period) *string {
	if p == nil {
		return nil
	}
	return p.End
}

func describeConcept(cc *fhir.CodeableConcept) string {
	if cc == nil {
		return "(absent)"
	}
	c := displayCode(cc)
	if c.Code == "" {
		return fmt.Sprintf("%q", c.Display)
	}
	return fmt.Sprintf("%s|%s", c.System, c.Code)
}

func hasComponent(cs []observationComponent, loinc string) bool {
	for i := range cs {
		if hasCode(&cs[i].Code, systemLOINC, loinc) {
			return true
		}
	}
	return false
}

// marker maps a tumour-marker Observation (ER, PR, HER2, HR, BRCA
// tumour-marker style, PD-L1).
func (m *mapper) marker(src logic.Source, def obsDef, code logic.Code, o *observationJSON) {
	mk := logic.Marker{Source: src, Kind: def.marker, Method: def.method, Gene: def.gene, Code: code}
	switch {
	case o.ValueCodeableConcept != nil:
		mk.Text = conceptText(o.ValueCodeableConcept)
		for _, c := range o.ValueCodeableConcept.Coding {
			system, v := str(c.System), strings.TrimSpace(str(c.Code))
			if res := markerResult(system, v); res != logic.ResultUnknown {
				mk.Result = res
				break
			}
			// A tumour-marker style BRCA test answered "Present" reports a
			// mutation detected (LOINC answer list LL1971-2 style).
			if def.marker == logic.MarkerBRCA && system == systemLOINC && v == "LA9633-4" {
				mk.Result = logic.Positive
				break
			}
		}
		if mk.Result == logic.ResultUnknown {
			mk.Result = textOrScore(def, mk.Text)
		}
	case o.ValueString != nil:
		mk.Text = strings.TrimSpace(*o.ValueString)
		mk.Result = textOrScore(def, mk.Text)
	case o.ValueQuantity != nil:
		mk.Text = quantityText(o.ValueQuantity)
	case o.ValueInteger != nil:
		mk.Text = strconv.Itoa(*o.ValueInteger)
	case o.DataAbsentReason != nil:
		mk.Text = "absent: " + conceptText(o.DataAbsentReason)
	}
	if mk.Result == logic.ResultUnknown {
		for i := range o.Interpretation {
			for _, c := range o.Interpretation[i].Coding {
				if res := markerResult(str(c.System), strings.TrimSpace(str(c.Code))); res != logic.ResultUnknown && str(c.System) == systemInterpretation {
					mk.Result = res
				}
			}
		}
	}
	mk.Origin = originOf(o.Component)
	m.p.Markers = append(m.p.Markers, mk)
}

// textOrScore reads a textual result; for HER2 by IHC it also reads the
// ASCO/CAP 2018 score (0 and 1+ negative, 2+ equivocal, 3+ positive).
func textOrScore(def obsDef, text string) logic.Result {
	if res := textResult(text); res != logic.ResultUnknown {
		return res
	}
	if def.marker == logic.MarkerHER2 && def.method == logic.MethodIHC {
		switch strings.TrimSpace(text) {
		case "0", "1+":
			return logic.Negative
		case "2+":
			return logic.Equivocal
		case "3+":
			return logic.Positive
		}
	}
	return logic.ResultUnknown
}

func quantityText(q *fhir.Quantity) string {
	if q == nil || q.Value == nil {
		return ""
	}
	s := q.Value.String()
	if q.Comparator != nil {
		s = q.Comparator.Code() + s
	}
	if u := str(q.Unit); u != "" {
		s += " " + u
	} else if c := str(q.Code); c != "" {
		s += " " + c
	}
	return s
}

// performance maps ECOG (0-5) and Karnofsky (0-100) observations, which carry
// valueInteger (mCODE SD_PerformanceStatus.fsh); ECOG LOINC answers are read
// too.
func (m *mapper) performance(r *resource, src logic.Source, kind obsKind, o *observationJSON) {
	scale, max := logic.ECOG, 5
	if kind == obsKarnofsky {
		scale, max = logic.Karnofsky, 100
	}
	value, ok := 0, false
	if o.ValueInteger != nil {
		value, ok = *o.ValueInteger, true
	} else if scale == logic.ECOG {
		for _, c := range codings(o.ValueCodeableConcept) {
			if value, ok = ecogOf(str(c.System), strings.TrimSpace(str(c.Code))); ok {
				break
			}
		}
	}
	if !ok || value < 0 || value > max {
		m.skip(r, "performance status without a valid integer value")
		return
	}
	m.p.Performance = append(m.p.Performance, logic.Performance{Source: src, Scale: scale, Value: value})
}
