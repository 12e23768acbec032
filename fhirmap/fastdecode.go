package fhirmap

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/internal/jsonscan"
)

// The decoders in this file read the resources mapping decodes most often
// (Condition, Observation, the medication resources, Procedure,
// DiagnosticReport, CarePlan, ImagingStudy and BodyStructure, and the code
// that mayMatter filters on) straight off the bytes with
// jsonscan. encoding/json spent most of a typical request on reflection and
// on validating bytes again; these walk each resource once.
//
// They are a fast path, not a second definition of the format: each decoder
// produces exactly the value json.Unmarshal would, or gives up, and then the
// caller decodes with encoding/json, whose result and error message are the
// reference. A decoder gives up on anything whose decoding it is not sure
// of: keys with escapes or non-ASCII bytes (encoding/json folds case with
// Unicode rules), keys that match a field only case-insensitively, a field
// given twice (encoding/json merges or overwrites), a value of the wrong
// JSON type (encoding/json reports it), strings that are not plain valid
// UTF-8 (it replaces bad bytes), numbers it would reject, syntax errors and
// nesting beyond maxScanDepth. Rare members with many possible shapes
// (extensions, identifiers, comparators) are handed to encoding/json on
// their own: an error there also makes the whole resource fall back.

// The decodeX functions decode with the hand-rolled decoder tryX unless slow
// is set or tryX gives up, and then with json.Unmarshal. They are written out
// per type, and unmarshal is a function of its own, because a decoded value
// whose address reaches encoding/json or a function value escapes to the
// heap: one allocation per resource for nothing on the fast path.

func decodeCondition(raw []byte, slow bool, slabs *slabs) (conditionJSON, error) {
	if !slow {
		if v, ok := tryCondition(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[conditionJSON](raw)
}

func decodeObservation(raw []byte, slow bool, slabs *slabs) (observationJSON, error) {
	if !slow {
		if v, ok := tryObservation(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[observationJSON](raw)
}

func decodeMedicationUse(raw []byte, slow bool, slabs *slabs) (medicationUseJSON, error) {
	if !slow {
		if v, ok := tryMedicationUse(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[medicationUseJSON](raw)
}

func decodeProcedure(raw []byte, slow bool, slabs *slabs) (procedureJSON, error) {
	if !slow {
		if v, ok := tryProcedure(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[procedureJSON](raw)
}

func decodeDiagnosticReport(raw []byte, slow bool, slabs *slabs) (diagnosticReportJSON, error) {
	if !slow {
		if v, ok := tryDiagnosticReport(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[diagnosticReportJSON](raw)
}

func decodeCarePlan(raw []byte, slow bool, slabs *slabs) (carePlanJSON, error) {
	if !slow {
		if v, ok := tryCarePlan(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[carePlanJSON](raw)
}

func decodeImagingStudy(raw []byte, slow bool, slabs *slabs) (imagingStudyJSON, error) {
	if !slow {
		if v, ok := tryImagingStudy(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[imagingStudyJSON](raw)
}

func decodeBodyStructure(raw []byte, slow bool, slabs *slabs) (bodyStructureJSON, error) {
	if !slow {
		if v, ok := tryBodyStructure(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[bodyStructureJSON](raw)
}

func decodeConcept(raw []byte, slow bool, slabs *slabs) (fhir.CodeableConcept, error) {
	if !slow {
		if v, ok := tryConcept(raw, slabs); ok {
			return v, nil
		}
	}
	return unmarshal[fhir.CodeableConcept](raw)
}

// unmarshal is json.Unmarshal into a fresh T, so that a partial result of a
// fast decoder that gave up never leaks into the fallback.
func unmarshal[T any](raw []byte) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

// The tryX functions are the fast decoders: ok false means "ask
// encoding/json", never "invalid". slabs supplies memory (see slabs).

func tryCondition(raw []byte, slabs *slabs) (v conditionJSON, ok bool) {
	d := newDec(raw, slabs)
	d.condition(&v)
	return v, d.End()
}

func tryObservation(raw []byte, slabs *slabs) (v observationJSON, ok bool) {
	d := newDec(raw, slabs)
	d.observation(&v)
	return v, d.End()
}

func tryMedicationUse(raw []byte, slabs *slabs) (v medicationUseJSON, ok bool) {
	d := newDec(raw, slabs)
	d.medicationUse(&v)
	return v, d.End()
}

func tryProcedure(raw []byte, slabs *slabs) (v procedureJSON, ok bool) {
	d := newDec(raw, slabs)
	d.procedure(&v)
	return v, d.End()
}

func tryDiagnosticReport(raw []byte, slabs *slabs) (v diagnosticReportJSON, ok bool) {
	d := newDec(raw, slabs)
	d.diagnosticReport(&v)
	return v, d.End()
}

func tryCarePlan(raw []byte, slabs *slabs) (v carePlanJSON, ok bool) {
	d := newDec(raw, slabs)
	d.carePlan(&v)
	return v, d.End()
}

func tryImagingStudy(raw []byte, slabs *slabs) (v imagingStudyJSON, ok bool) {
	d := newDec(raw, slabs)
	d.imagingStudy(&v)
	return v, d.End()
}

func tryBodyStructure(raw []byte, slabs *slabs) (v bodyStructureJSON, ok bool) {
	d := newDec(raw, slabs)
	d.bodyStructure(&v)
	return v, d.End()
}

func tryConcept(raw []byte, slabs *slabs) (v fhir.CodeableConcept, ok bool) {
	d := newDec(raw, slabs)
	d.concept(&v)
	return v, d.End()
}

func newDec(raw []byte, slabs *slabs) dec {
	return dec{Scanner: jsonscan.New(raw, maxScanDepth), slabs: slabs}
}

// slabs hands out the small objects a decode makes (the targets of *string
// fields, CodeableConcepts, slices of Codings) from chunks shared by the
// decoders of one mapping call, instead of one allocation each: these were
// most of the allocations left. A value taken from a chunk keeps the chunk
// alive; the chunks are small. Slices are cut with their capacity capped,
// so that appending to one never writes over its neighbour.
type slabs struct {
	strs     []string
	concepts []fhir.CodeableConcept
	codings  []fhir.Coding
	scratch  []fhir.Coding // codings decodes here, then copies to a chunk
}

// str returns a *string holding s.
func (sl *slabs) str(s string) *string {
	if len(sl.strs) == cap(sl.strs) {
		sl.strs = make([]string, 0, 64)
	}
	sl.strs = append(sl.strs, s)
	return &sl.strs[len(sl.strs)-1]
}

// concept returns a pointer to a zero CodeableConcept.
func (sl *slabs) concept() *fhir.CodeableConcept {
	if len(sl.concepts) == cap(sl.concepts) {
		sl.concepts = make([]fhir.CodeableConcept, 0, 16)
	}
	sl.concepts = sl.concepts[:len(sl.concepts)+1]
	return &sl.concepts[len(sl.concepts)-1]
}

// codingList returns a copy of l, capacity len(l), from a chunk.
func (sl *slabs) codingList(l []fhir.Coding) []fhir.Coding {
	switch {
	case len(l) == 0:
		return []fhir.Coding{} // encoding/json makes [] empty, not nil
	case len(l) > 8:
		return append([]fhir.Coding(nil), l...)
	}
	if cap(sl.codings)-len(sl.codings) < len(l) {
		sl.codings = make([]fhir.Coding, 0, 32)
	}
	n := len(sl.codings)
	sl.codings = append(sl.codings, l...)
	return sl.codings[n:len(sl.codings):len(sl.codings)]
}

// dec is a jsonscan.Scanner with the decoding rules of encoding/json for the
// value kinds the mapping structs use. Its methods do not report success:
// the Scanner stops at the first problem and stays stopped, so a decoder
// just walks on and the tryX function asks at the end (End fails after a
// failure).
//
// Decoded strings do not get an allocation each, as they do from
// encoding/json (with a second one for the *string): they are substrings of
// copies of windows of the input, and the *string fields point into small
// slabs. Both were most of the allocations of a decode. The facts mapped
// from a resource keep a window alive, a few hundred bytes.
type dec struct {
	jsonscan.Scanner
	src   string // a copy of the input from offset srcAt
	srcAt int    // the offset of src in the input
	slabs *slabs
}

// key moves to the next member of the object being walked and returns its
// key; false at the closing brace or when the scan has stopped. Keys with
// escapes or non-ASCII bytes stop it (see the file comment).
func (d *dec) key() ([]byte, bool) {
	key, _, ok := d.NextMember()
	if !ok {
		return nil, false
	}
	if !jsonscan.PlainASCII(key) {
		d.Fail()
		return nil, false
	}
	return key, true
}

// field returns the index in names of the field key names, marking it in
// *seen, or -1 after skipping the value of a member no field takes. A key
// that matches a field only case-insensitively, or a field seen before,
// stops the scan. names holds at most 32 entries.
func (d *dec) field(key []byte, seen *uint32, names []string) int {
	for i, name := range names {
		if string(key) == name {
			if *seen&(1<<i) != 0 {
				d.Fail()
				return -1
			}
			*seen |= 1 << i
			return i
		}
	}
	for _, name := range names {
		if jsonscan.EqualFoldASCII(key, name) {
			d.Fail()
			return -1
		}
	}
	d.Skip()
	return -1
}

// null consumes a JSON null and reports whether there was one. encoding/json
// sets a pointer or slice to nil on null and leaves anything else as it is;
// with repeated fields refused, both mean leaving the zero value alone.
func (d *dec) null() bool {
	if d.Peek() != 'n' {
		return false
	}
	d.Skip()
	return true
}

// text reads a string value as encoding/json decodes it.
func (d *dec) text() (string, bool) {
	quote := d.Pos()
	t, escaped, ok := d.ReadString()
	if !ok {
		return "", false
	}
	if escaped {
		// Rare in FHIR; encoding/json's unquoting (surrogates, bad UTF-8)
		// is the reference, so let it do this one string.
		var s string
		if json.Unmarshal(d.Data()[quote:d.Pos()], &s) != nil {
			d.Fail()
			return "", false
		}
		return s, true
	}
	if !utf8.Valid(t) {
		d.Fail() // encoding/json would replace the bad bytes
		return "", false
	}
	end := d.Pos() - 1 // the closing quote
	start := end - len(t)
	if d.src == "" || start < d.srcAt || end > d.srcAt+len(d.src) {
		data := d.Data()
		d.src, d.srcAt = string(data[start:min(len(data), max(end, start+srcWindow))]), start
	}
	return d.src[start-d.srcAt : end-d.srcAt], true
}

// srcWindow is how much of the input a dec copies at a time for its
// strings: the strings mapping reads sit close together (a coding, a
// reference), while narratives and the members nobody reads can be large.
const srcWindow = 512

// strPtr decodes a *string field.
func (d *dec) strPtr(dst **string) {
	if d.null() {
		return
	}
	if s, ok := d.text(); ok {
		*dst = d.slabs.str(s)
	}
}

// str decodes a string field.
func (d *dec) str(dst *string) {
	if d.null() {
		return
	}
	if s, ok := d.text(); ok {
		*dst = s
	}
}

// boolPtr decodes a *bool field.
func (d *dec) boolPtr(dst **bool) {
	if d.null() {
		return
	}
	b := d.Peek() == 't'
	if !b && d.Peek() != 'f' {
		d.Fail()
		return
	}
	if d.Skip() != nil {
		*dst = &b
	}
}

// intPtr decodes a *int field: an integer literal that fits an int, as
// encoding/json requires (1.0 and 1e2 are errors there).
func (d *dec) intPtr(dst **int) {
	if d.null() {
		return
	}
	if c := d.Peek(); c != '-' && (c < '0' || c > '9') {
		d.Fail()
		return
	}
	raw := d.Skip()
	if raw == nil {
		return
	}
	n, err := strconv.ParseInt(string(raw), 10, strconv.IntSize)
	if err != nil {
		d.Fail()
		return
	}
	v := int(n)
	*dst = &v
}

// numberPtr decodes a *json.Number field from a number literal. A quoted
// number, which encoding/json also accepts, is left to it.
func (d *dec) numberPtr(dst **json.Number) {
	if d.null() {
		return
	}
	if c := d.Peek(); c != '-' && (c < '0' || c > '9') {
		d.Fail()
		return
	}
	if raw := d.Skip(); raw != nil {
		n := json.Number(raw)
		*dst = &n
	}
}

// viaJSON hands one member value to encoding/json, for the rare members
// with many shapes. Its result equals what decoding the value in place
// would give; an error makes the whole resource fall back, for the message.
// It decodes into a value of its own, not through dst: an address handed to
// encoding/json escapes, and dst is inside the decoded resource.
func viaJSON[T any](d *dec, dst *T) {
	raw := d.Skip()
	if raw == nil {
		return
	}
	v, err := unmarshal[T](raw)
	if err != nil {
		d.Fail()
		return
	}
	*dst = v
}

// The slice and pointer helpers below are written out per type rather than
// as generics taking the element decoder as a function value: a call
// through a function value makes everything it is passed escape, which cost
// an allocation per decoded resource.

// list enters the array of a slice field, or consumes a null and returns
// false. Like encoding/json, the slice decoders leave the slice nil on null,
// make [] an empty non-nil slice and a null element the zero value.
func (d *dec) list() bool {
	return !d.null() && d.EnterArray()
}

// elem moves to the next element; null reports a null element, consumed.
func (d *dec) elem() (more, null bool) {
	if !d.NextElement() {
		return false, false
	}
	return true, d.null()
}

func (d *dec) codings(dst *[]fhir.Coding) {
	if !d.list() {
		return
	}
	// A Coding holds no Codings, so the scratch list is free again here.
	l := d.slabs.scratch[:0]
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, fhir.Coding{})
		if !null {
			d.coding(&l[len(l)-1])
		}
	}
	d.slabs.scratch = l
	*dst = d.slabs.codingList(l)
	clear(l) // drop the references the scratch would keep
}

// concepts decodes a []fhir.CodeableConcept field.
func (d *dec) concepts(dst *[]fhir.CodeableConcept) {
	if !d.list() {
		return
	}
	l := []fhir.CodeableConcept{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, fhir.CodeableConcept{})
		if !null {
			d.concept(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) references(dst *[]fhir.Reference) {
	if !d.list() {
		return
	}
	l := []fhir.Reference{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, fhir.Reference{})
		if !null {
			d.reference(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) stages(dst *[]conditionStage) {
	if !d.list() {
		return
	}
	l := []conditionStage{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, conditionStage{})
		if !null {
			d.conditionStage(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) evidences(dst *[]conditionEvidence) {
	if !d.list() {
		return
	}
	l := []conditionEvidence{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, conditionEvidence{})
		if !null {
			d.conditionEvidence(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) components(dst *[]observationComponent) {
	if !d.list() {
		return
	}
	l := []observationComponent{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, observationComponent{})
		if !null {
			d.observationComponent(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) strs(dst *[]string) {
	if !d.list() {
		return
	}
	l := []string{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, "")
		if !null {
			d.str(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) identifierValues(dst *[]identifierValue) {
	if !d.list() {
		return
	}
	l := []identifierValue{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, identifierValue{})
		if !null {
			d.identifierValue(&l[len(l)-1])
		}
	}
	*dst = l
}

func (d *dec) imagingSeriesList(dst *[]imagingSeries) {
	if !d.list() {
		return
	}
	l := []imagingSeries{}
	for more, null := d.elem(); more; more, null = d.elem() {
		l = append(l, imagingSeries{})
		if !null {
			d.imagingSeries(&l[len(l)-1])
		}
	}
	*dst = l
}

// conceptPtr decodes a *fhir.CodeableConcept field; the other xPtr
// functions do the same for their types.
func (d *dec) conceptPtr(dst **fhir.CodeableConcept) {
	if !d.null() {
		v := d.slabs.concept()
		d.concept(v)
		*dst = v
	}
}

func (d *dec) referencePtr(dst **fhir.Reference) {
	if !d.null() {
		v := new(fhir.Reference)
		d.reference(v)
		*dst = v
	}
}

func (d *dec) refPtr(dst **ref) {
	if !d.null() {
		v := new(ref)
		d.ref(v)
		*dst = v
	}
}

func (d *dec) codingPtr(dst **fhir.Coding) {
	if !d.null() {
		v := new(fhir.Coding)
		d.coding(v)
		*dst = v
	}
}

func (d *dec) profileMetaPtr(dst **profileMeta) {
	if !d.null() {
		v := new(profileMeta)
		d.profileMeta(v)
		*dst = v
	}
}

func (d *dec) periodPtr(dst **fhir.Period) {
	if !d.null() {
		v := new(fhir.Period)
		d.period(v)
		*dst = v
	}
}

func (d *dec) quantityPtr(dst **fhir.Quantity) {
	if !d.null() {
		v := new(fhir.Quantity)
		d.quantity(v)
		*dst = v
	}
}

func (d *dec) dispenseRequestPtr(dst **dispenseRequest) {
	if !d.null() {
		v := new(dispenseRequest)
		d.dispenseRequest(v)
		*dst = v
	}
}

var codingFields = []string{"id", "extension", "system", "version", "code", "display", "userSelected"}

func (d *dec) coding(c *fhir.Coding) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, codingFields) {
		case 0:
			d.strPtr(&c.Id)
		case 1:
			viaJSON(d, &c.Extension)
		case 2:
			d.strPtr(&c.System)
		case 3:
			d.strPtr(&c.Version)
		case 4:
			d.strPtr(&c.Code)
		case 5:
			d.strPtr(&c.Display)
		case 6:
			d.boolPtr(&c.UserSelected)
		}
	}
}

var conceptFields = []string{"id", "extension", "coding", "text"}

func (d *dec) concept(cc *fhir.CodeableConcept) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, conceptFields) {
		case 0:
			d.strPtr(&cc.Id)
		case 1:
			viaJSON(d, &cc.Extension)
		case 2:
			d.codings(&cc.Coding)
		case 3:
			d.strPtr(&cc.Text)
		}
	}
}

var referenceFields = []string{"id", "extension", "reference", "type", "identifier", "display"}

func (d *dec) reference(r *fhir.Reference) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, referenceFields) {
		case 0:
			d.strPtr(&r.Id)
		case 1:
			viaJSON(d, &r.Extension)
		case 2:
			d.strPtr(&r.Reference)
		case 3:
			d.strPtr(&r.Type)
		case 4:
			viaJSON(d, &r.Identifier)
		case 5:
			d.strPtr(&r.Display)
		}
	}
}

var refFields = []string{"reference", "display"}

// ref decodes the local ref, which ignores every other Reference member.
func (d *dec) ref(r *ref) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, refFields) {
		case 0:
			d.str(&r.Reference)
		case 1:
			d.str(&r.Display)
		}
	}
}

var periodFields = []string{"id", "extension", "start", "end"}

func (d *dec) period(p *fhir.Period) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, periodFields) {
		case 0:
			d.strPtr(&p.Id)
		case 1:
			viaJSON(d, &p.Extension)
		case 2:
			d.strPtr(&p.Start)
		case 3:
			d.strPtr(&p.End)
		}
	}
}

var quantityFields = []string{"id", "extension", "value", "comparator", "unit", "system", "code"}

func (d *dec) quantity(q *fhir.Quantity) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, quantityFields) {
		case 0:
			d.strPtr(&q.Id)
		case 1:
			viaJSON(d, &q.Extension)
		case 2:
			d.numberPtr(&q.Value)
		case 3:
			viaJSON(d, &q.Comparator) // an enum with its own UnmarshalJSON
		case 4:
			d.strPtr(&q.Unit)
		case 5:
			d.strPtr(&q.System)
		case 6:
			d.strPtr(&q.Code)
		}
	}
}

var conditionFields = []string{"clinicalStatus", "verificationStatus", "code", "bodySite", "subject",
	"onsetDateTime", "onsetPeriod", "recordedDate", "stage", "evidence"}

func (d *dec) condition(c *conditionJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, conditionFields) {
		case 0:
			d.conceptPtr(&c.ClinicalStatus)
		case 1:
			d.conceptPtr(&c.VerificationStatus)
		case 2:
			d.conceptPtr(&c.Code)
		case 3:
			d.concepts(&c.BodySite)
		case 4:
			if !d.null() {
				d.reference(&c.Subject)
			}
		case 5:
			d.strPtr(&c.OnsetDateTime)
		case 6:
			d.periodPtr(&c.OnsetPeriod)
		case 7:
			d.strPtr(&c.RecordedDate)
		case 8:
			d.stages(&c.Stage)
		case 9:
			d.evidences(&c.Evidence)
		}
	}
}

var summaryFields = []string{"summary"}

func (d *dec) conditionStage(s *conditionStage) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		if d.field(key, &seen, summaryFields) == 0 {
			d.conceptPtr(&s.Summary)
		}
	}
}

var codeFields = []string{"code"}

func (d *dec) conditionEvidence(e *conditionEvidence) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		if d.field(key, &seen, codeFields) == 0 {
			d.concepts(&e.Code)
		}
	}
}

var observationFields = []string{"status", "code", "subject", "effectiveDateTime", "effectivePeriod",
	"effectiveInstant", "issued", "valueQuantity", "valueCodeableConcept", "valueString", "valueBoolean",
	"valueInteger", "dataAbsentReason", "interpretation", "derivedFrom", "component"}

func (d *dec) observation(o *observationJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, observationFields) {
		case 0:
			d.strPtr(&o.Status)
		case 1:
			if !d.null() {
				d.concept(&o.Code)
			}
		case 2:
			d.referencePtr(&o.Subject)
		case 3:
			d.strPtr(&o.EffectiveDateTime)
		case 4:
			d.periodPtr(&o.EffectivePeriod)
		case 5:
			d.strPtr(&o.EffectiveInstant)
		case 6:
			d.strPtr(&o.Issued)
		case 7:
			d.quantityPtr(&o.ValueQuantity)
		case 8:
			d.conceptPtr(&o.ValueCodeableConcept)
		case 9:
			d.strPtr(&o.ValueString)
		case 10:
			d.boolPtr(&o.ValueBoolean)
		case 11:
			d.intPtr(&o.ValueInteger)
		case 12:
			d.conceptPtr(&o.DataAbsentReason)
		case 13:
			d.concepts(&o.Interpretation)
		case 14:
			d.references(&o.DerivedFrom)
		case 15:
			d.components(&o.Component)
		}
	}
}

var componentFields = []string{"code", "valueCodeableConcept"}

func (d *dec) observationComponent(c *observationComponent) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, componentFields) {
		case 0:
			if !d.null() {
				d.concept(&c.Code)
			}
		case 1:
			d.conceptPtr(&c.ValueCodeableConcept)
		}
	}
}

var medicationUseFields = []string{"status", "medicationCodeableConcept", "medicationReference", "subject",
	"authoredOn", "effectiveDateTime", "effectivePeriod", "dateAsserted", "dispenseRequest", "contained"}

func (d *dec) medicationUse(mu *medicationUseJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, medicationUseFields) {
		case 0:
			d.strPtr(&mu.Status)
		case 1:
			d.conceptPtr(&mu.MedicationCodeableConcept)
		case 2:
			d.refPtr(&mu.MedicationReference)
		case 3:
			d.refPtr(&mu.Subject)
		case 4:
			d.strPtr(&mu.AuthoredOn)
		case 5:
			d.strPtr(&mu.EffectiveDateTime)
		case 6:
			d.periodPtr(&mu.EffectivePeriod)
		case 7:
			d.strPtr(&mu.DateAsserted)
		case 8:
			d.dispenseRequestPtr(&mu.DispenseRequest)
		case 9:
			d.rawMessages(&mu.Contained)
		}
	}
}

var validityFields = []string{"validityPeriod"}

func (d *dec) dispenseRequest(dr *dispenseRequest) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		if d.field(key, &seen, validityFields) == 0 {
			d.periodPtr(&dr.ValidityPeriod)
		}
	}
}

// rawMessages decodes a []json.RawMessage field. Unlike the other slice
// decoders it keeps a null element as the bytes "null": encoding/json hands
// null to RawMessage.UnmarshalJSON. The bytes alias the input, which the
// mapping never modifies and reads only during the call; encoding/json
// would copy them.
func (d *dec) rawMessages(dst *[]json.RawMessage) {
	if d.null() || !d.EnterArray() {
		return
	}
	list := []json.RawMessage{}
	for d.NextElement() {
		list = append(list, d.Skip())
	}
	*dst = list
}

var procedureFields = []string{"status", "code", "category", "subject", "performedDateTime", "performedPeriod", "bodySite"}

func (d *dec) procedure(p *procedureJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, procedureFields) {
		case 0:
			d.strPtr(&p.Status)
		case 1:
			d.conceptPtr(&p.Code)
		case 2:
			d.conceptPtr(&p.Category)
		case 3:
			d.refPtr(&p.Subject)
		case 4:
			d.strPtr(&p.PerformedDateTime)
		case 5:
			d.periodPtr(&p.PerformedPeriod)
		case 6:
			d.concepts(&p.BodySite)
		}
	}
}

var diagnosticReportFields = []string{"status", "code", "subject", "effectiveDateTime", "effectivePeriod", "issued"}

func (d *dec) diagnosticReport(dr *diagnosticReportJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, diagnosticReportFields) {
		case 0:
			d.strPtr(&dr.Status)
		case 1:
			d.conceptPtr(&dr.Code)
		case 2:
			d.refPtr(&dr.Subject)
		case 3:
			d.strPtr(&dr.EffectiveDateTime)
		case 4:
			d.periodPtr(&dr.EffectivePeriod)
		case 5:
			d.strPtr(&dr.Issued)
		}
	}
}

var carePlanFields = []string{"status", "subject", "category", "title", "description", "period", "created"}

func (d *dec) carePlan(cp *carePlanJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, carePlanFields) {
		case 0:
			d.strPtr(&cp.Status)
		case 1:
			d.refPtr(&cp.Subject)
		case 2:
			d.concepts(&cp.Category)
		case 3:
			d.strPtr(&cp.Title)
		case 4:
			d.strPtr(&cp.Description)
		case 5:
			d.periodPtr(&cp.Period)
		case 6:
			d.strPtr(&cp.Created)
		}
	}
}

var imagingStudyFields = []string{"status", "subject", "started", "description", "modality", "procedureCode", "series"}

func (d *dec) imagingStudy(is *imagingStudyJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, imagingStudyFields) {
		case 0:
			d.strPtr(&is.Status)
		case 1:
			d.refPtr(&is.Subject)
		case 2:
			d.strPtr(&is.Started)
		case 3:
			d.strPtr(&is.Description)
		case 4:
			d.codings(&is.Modality)
		case 5:
			d.concepts(&is.ProcedureCode)
		case 6:
			d.imagingSeriesList(&is.Series)
		}
	}
}

var imagingSeriesFields = []string{"modality", "bodySite", "started", "description"}

func (d *dec) imagingSeries(s *imagingSeries) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, imagingSeriesFields) {
		case 0:
			d.codingPtr(&s.Modality)
		case 1:
			d.codingPtr(&s.BodySite)
		case 2:
			d.strPtr(&s.Started)
		case 3:
			d.strPtr(&s.Description)
		}
	}
}

var bodyStructureFields = []string{"meta", "active", "identifier", "location", "locationQualifier", "patient"}

func (d *dec) bodyStructure(bs *bodyStructureJSON) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		switch d.field(key, &seen, bodyStructureFields) {
		case 0:
			d.profileMetaPtr(&bs.Meta)
		case 1:
			d.boolPtr(&bs.Active)
		case 2:
			d.identifierValues(&bs.Identifier)
		case 3:
			d.conceptPtr(&bs.Location)
		case 4:
			d.concepts(&bs.LocationQualifier)
		case 5:
			d.refPtr(&bs.Patient)
		}
	}
}

var profileFields = []string{"profile"}

func (d *dec) profileMeta(m *profileMeta) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		if d.field(key, &seen, profileFields) == 0 {
			d.strs(&m.Profile)
		}
	}
}

var valueFields = []string{"value"}

func (d *dec) identifierValue(id *identifierValue) {
	if !d.EnterObject() {
		return
	}
	var seen uint32
	for {
		key, ok := d.key()
		if !ok {
			return
		}
		if d.field(key, &seen, valueFields) == 0 {
			d.str(&id.Value)
		}
	}
}
