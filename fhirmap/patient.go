package fhirmap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// Mapper maps prefetch data with fixed Options. Build it once with
// NewMapper and share it: its lookup tables are built once per process and
// it holds no per-call state, so Patient is safe for concurrent use.
type Mapper struct {
	v *vocab
}

// NewMapper returns a Mapper for opts. The options are copied, so later
// changes to opts do not affect the Mapper.
func NewMapper(opts Options) *Mapper {
	return &Mapper{v: newVocab(opts)}
}

// Patient maps resolved prefetch data into the model with opts. It is
// NewMapper(opts).Patient(prefetch); the lookup tables are shared, so a call
// builds nothing beyond the Mapper itself.
func Patient(prefetch map[string]json.RawMessage, opts Options) (logic.Patient, error) {
	return NewMapper(opts).Patient(prefetch)
}

// Patient maps resolved prefetch data into the model. Each value is a FHIR
// searchset Bundle (entries with search.mode "outcome" are skipped; "include"
// entries are used for reference resolution only), a single resource, or JSON
// null (no data). Keys are not trusted for type: resources are dispatched by
// resourceType. It returns ErrNoPatient when there is no usable Patient and
// ErrInvalid (wrapped, with a message) when a value is not a JSON object, null
// or Bundle, or the patient key holds another resource type. Any other
// unusable resource is skipped and listed in Patient.Skipped.
func (mp *Mapper) Patient(prefetch map[string]json.RawMessage) (logic.Patient, error) {
	return mp.patient(prefetch, false)
}

// patient is Patient; slow true turns the hand-rolled decoders off, so that
// tests can compare their results with encoding/json's.
func (mp *Mapper) patient(prefetch map[string]json.RawMessage, slow bool) (logic.Patient, error) {
	pl, err := newPool(prefetch)
	if err != nil {
		return logic.Patient{}, err
	}
	pr := pl.patient
	if pr == nil {
		for _, r := range pl.list {
			if r.typ == "Patient" {
				pr = r
				break
			}
		}
	}
	if pr == nil {
		return logic.Patient{}, ErrNoPatient
	}
	m := &mapper{pool: pl, v: mp.v, self: map[string]bool{}, slow: slow}
	if !m.patient(pr) {
		return logic.Patient{}, ErrNoPatient
	}
	for _, r := range pl.list {
		if r == pr || r.include {
			continue
		}
		m.dispatch(r)
	}
	m.finishGenomics()
	m.p.Skipped = append(pl.skipped, m.p.Skipped...)
	return m.p, nil
}

// mapper holds the state of one Patient call.
type mapper struct {
	pool     *pool
	v        *vocab
	p        logic.Patient
	self     map[string]bool // the references that name this patient
	variants []*variant
	implied  []implication
	slow     bool             // decode with encoding/json only (tests)
	codes    map[codeKey]bool // mayMatter's verdicts on the codes seen
	slabs    slabs            // memory for the fast decoders
}

func (m *mapper) skip(r *resource, format string, args ...any) {
	m.p.Skipped = append(m.p.Skipped, logic.Skipped{Ref: r.ref, Reason: fmt.Sprintf(format, args...)})
}

// dispatch maps one resource by its resourceType.
func (m *mapper) dispatch(r *resource) {
	if !m.mayMatter(r) {
		return
	}
	switch r.typ {
	case "Condition":
		m.condition(r)
	case "Observation":
		m.observation(r)
	case "MedicationRequest", "MedicationStatement", "MedicationAdministration":
		m.medicationUse(r)
	case "Procedure":
		m.procedure(r)
	case "ImagingStudy":
		m.imagingStudy(r)
	case "DiagnosticReport":
		m.diagnosticReport(r)
	case "CarePlan":
		m.carePlan(r)
	case "BodyStructure":
		m.bodyStructure(r)
	}
}

// otherPatient reports whether a subject reference names a different
// Patient: its facts must not be attributed to this one. Unresolvable and
// conditional references are accepted (they cannot be checked).
func (m *mapper) otherPatient(ref string) bool {
	if ref == "" || m.self[ref] {
		return false
	}
	if r := m.pool.resolve(ref); r != nil {
		return r.typ == "Patient" && !m.self[r.ref]
	}
	typ, id := splitRef(ref)
	return typ == "Patient" && !m.self["Patient/"+id]
}

// patientJSON shadows the samply enum gender (an unknown code would fail the
// whole Patient, DESIGN.md §1.6) and the narrative (its status is an enum
// the mapping never needs).
type patientJSON struct {
	fhir.Patient
	Gender *string         `json:"gender"`
	Text   json.RawMessage `json:"text"`
}

// patientMinimal is the fallback when even the shadowed samply Patient does
// not decode (e.g. an unknown HumanName.use): demographics are all the rules
// need, and a bad name must not turn the call into a 412.
type patientMinimal struct {
	ID               string  `json:"id"`
	Gender           *string `json:"gender"`
	BirthDate        *string `json:"birthDate"`
	DeceasedBoolean  *bool   `json:"deceasedBoolean"`
	DeceasedDateTime *string `json:"deceasedDateTime"`
}

// patient fills the demographics; false when the resource is unusable.
func (m *mapper) patient(r *resource) bool {
	var pm patientMinimal
	var pj patientJSON
	if err := json.Unmarshal(r.raw, &pj); err == nil {
		pm = patientMinimal{ID: str(pj.Id), Gender: pj.Gender, BirthDate: pj.BirthDate,
			DeceasedBoolean: pj.DeceasedBoolean, DeceasedDateTime: pj.DeceasedDateTime}
	} else if err2 := json.Unmarshal(r.raw, &pm); err2 != nil {
		m.skip(r, "unreadable Patient: %v", err2)
		return false
	} else {
		m.skip(r, "Patient read from its demographics only: %v", err)
	}
	p := &m.p
	p.ID = pm.ID
	m.self[r.ref] = true
	if r.fullURL != "" {
		m.self[r.fullURL] = true
	}
	if pm.ID != "" {
		m.self["Patient/"+pm.ID] = true
		m.self["urn:uuid:"+pm.ID] = true
	}
	switch strings.TrimSpace(str(pm.Gender)) {
	case "female":
		p.Sex = logic.SexFemale
	case "male":
		p.Sex = logic.SexMale
	case "other":
		p.Sex = logic.SexOther
	case "", "unknown":
	default:
		m.skip(r, "Patient.gender %q is not an R4 administrative-gender code; sex left unknown", str(pm.Gender))
	}
	p.BirthDate = firstDate(pm.BirthDate)
	if pm.DeceasedBoolean != nil && *pm.DeceasedBoolean {
		p.Deceased = true
	}
	if pm.DeceasedDateTime != nil {
		p.Deceased = true
		p.DeceasedDate = parseDate(*pm.DeceasedDateTime)
	}
	return true
}

// mayMatter filters Observations and DiagnosticReports by their raw code
// before the full decode: vital signs and notes are most of a Synthea bundle
// and the rules never read them. It only says no when the code was read and
// is certainly not one the rules use.
func (m *mapper) mayMatter(r *resource) bool {
	if r.code == nil || (r.typ != "Observation" && r.typ != "DiagnosticReport") {
		return true
	}
	// The verdict on a code depends on its bytes only, and a Synthea bundle
	// repeats a few dozen codes over thousands of Observations: decode each
	// once per call. The map lookup with string(r.code) does not allocate.
	key := codeKey{typ: r.typ, code: string(r.code)}
	verdict, seen := m.codes[key]
	if !seen {
		verdict = m.codeVerdict(r.typ, r.code)
		if m.codes == nil {
			m.codes = map[codeKey]bool{}
		}
		m.codes[key] = verdict
	}
	if verdict || r.typ == "DiagnosticReport" {
		return verdict
	}
	return bytes.Contains(r.raw, []byte(loincClinicalSignificance))
}

// codeKey is a resource type and the raw bytes of its code, for mayMatter.
type codeKey struct {
	typ, code string
}

// codeVerdict is mayMatter's reading of a code: true when it may matter or
// does not decode (the full decode then reports it).
func (m *mapper) codeVerdict(typ string, code []byte) bool {
	cc, err := decodeConcept(code, m.slow, &m.slabs)
	if err != nil {
		return true
	}
	if typ == "DiagnosticReport" {
		modality, _ := reportModality(&cc)
		return modality != ""
	}
	_, ok := m.v.lookup(&cc)
	return ok
}
