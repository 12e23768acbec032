package fhirmap

import (
	"slices"
	"strings"
	"sync"

	"ombc-cds/logic"
)

// obsKind says what an Observation code states.
type obsKind int

const (
	obsStaging obsKind = iota + 1
	obsMarker
	obsHistory
	obsStatus
	obsECOG
	obsKarnofsky
	obsVariant
	obsImplication // clinical significance as the Observation code
)

// obsDef is one Observation code the rules use.
type obsDef struct {
	system, code string
	kind         obsKind
	staging      logic.StagingKind
	marker       logic.MarkerKind
	method       logic.Method
	gene         string
}

// observationDefs returns every Observation code the rules use (CODES.md §2.2
// and "Synthea specifics"), a fresh slice each call. It is the single source
// of both the mapping and the observations prefetch template.
func observationDefs() []obsDef {
	var d []obsDef
	stage := func(k logic.StagingKind, system string, codes ...string) {
		for _, c := range codes {
			d = append(d, obsDef{system: system, code: c, kind: obsStaging, staging: k})
		}
	}
	// TNM (mCODE VS_Staging_TNM.fsh: SNOMED preferred, LOINC 219xx allowed).
	stage(logic.StagingGroup, systemSNOMED, "399537006", "399588009", "399390009")
	stage(logic.StagingGroup, systemLOINC, "21908-9", "21902-2", "21914-7")
	stage(logic.StagingT, systemSNOMED, "399504009", "384625004", "78873005")
	stage(logic.StagingT, systemLOINC, "21905-5", "21899-0", "21911-3")
	stage(logic.StagingN, systemSNOMED, "399534004", "371494008", "277206009")
	stage(logic.StagingN, systemLOINC, "21906-3", "21900-6", "21912-1")
	stage(logic.StagingM, systemSNOMED, "399387003", "371497001", "277208005")
	stage(logic.StagingM, systemLOINC, "21907-1", "21901-4", "21913-9")

	marker := func(k logic.MarkerKind, m logic.Method, gene, system string, codes ...string) {
		for _, c := range codes {
			d = append(d, obsDef{system: system, code: c, kind: obsMarker, marker: k, method: m, gene: gene})
		}
	}
	// Receptors (mCODE VS_Genomics.fsh; Synthea hormone_diagnosis.json; CanDIG 16112-5/16113-3).
	marker(logic.MarkerER, logic.MethodIHC, "", systemLOINC, "85337-4", "40556-3", "85310-1", "85329-1")
	marker(logic.MarkerER, logic.MethodOverall, "", systemLOINC, "16112-5")
	marker(logic.MarkerER, logic.MethodUnspecified, "", systemLOINC, "14130-9")
	marker(logic.MarkerER, logic.MethodUnspecified, "", systemSNOMED, "445028008")
	marker(logic.MarkerPR, logic.MethodIHC, "", systemLOINC, "85339-0", "40557-1", "31207-4", "85331-7", "85325-9")
	marker(logic.MarkerPR, logic.MethodOverall, "", systemLOINC, "16113-3")
	marker(logic.MarkerPR, logic.MethodUnspecified, "", systemLOINC, "10861-3")
	marker(logic.MarkerPR, logic.MethodUnspecified, "", systemSNOMED, "445029000")
	marker(logic.MarkerHR, logic.MethodIHC, "", systemLOINC, "10480-2")
	marker(logic.MarkerHER2, logic.MethodOverall, "", systemLOINC, "48676-1")
	marker(logic.MarkerHER2, logic.MethodIHC, "", systemLOINC, "85319-2", "18474-7", "72383-3", "72382-5")
	marker(logic.MarkerHER2, logic.MethodISH, "", systemLOINC, "85318-4", "31150-6", "49683-6", "74860-8", "74885-5", "96893-3")
	// BRCA tumour-marker style tests (mCODE VS_Genomics.fsh L600-604, 626-629).
	marker(logic.MarkerBRCA, logic.MethodGenomic, "BRCA1", systemLOINC, "21636-6", "21637-4", "21638-2", "21639-0", "79207-7")
	marker(logic.MarkerBRCA, logic.MethodGenomic, "BRCA2", systemLOINC, "21640-8", "38530-2", "38531-0", "79208-5")
	marker(logic.MarkerBRCA, logic.MethodGenomic, "BRCA1/2", systemLOINC, "50995-0", "59041-4", "94191-4")
	// PD-L1 (mCODE VS_Genomics.fsh L617-625).
	marker(logic.MarkerPDL1, logic.MethodIHC, "", systemLOINC, "83052-1", "83053-9", "83054-7", "85147-7", "83055-4", "83056-2", "85148-5", "83057-0", "85149-3")

	d = append(d,
		obsDef{system: systemLOINC, code: "69548-6", kind: obsVariant},
		obsDef{system: systemLOINC, code: loincClinicalSignificance, kind: obsImplication},
		// The Diagnostic Implication observation's own code is not LOINC but
		// genomics-reporting's "to be determined" code system: tbd-codes-cs
		// in STU2 (which mCODE STU4 pins), tbd-codes in earlier builds.
		// Listing both lets the code-filtered observations template return
		// the implications that say whether a BRCA variant is pathogenic.
		obsDef{system: "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs", code: "diagnostic-implication", kind: obsImplication},
		obsDef{system: "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes", code: "diagnostic-implication", kind: obsImplication},
		obsDef{system: systemSNOMED, code: "1287652008", kind: obsHistory},
		obsDef{system: systemSNOMED, code: "1098951000119108", kind: obsHistory},
		obsDef{system: systemLOINC, code: "97509-4", kind: obsStatus},
		obsDef{system: systemLOINC, code: "88040-1", kind: obsStatus},
		obsDef{system: systemLOINC, code: "89247-1", kind: obsECOG},
		obsDef{system: systemLOINC, code: "89243-0", kind: obsKarnofsky},
	)
	return d
}

// Diagnostic implication component (genomics-reporting CGImplications.fsh).
const loincClinicalSignificance = "53037-8"

// diagnosticReportCodes are the imaging report codes (CODES.md "Imaging"):
// PET whole body / unspecified, CT, MRI and NM unspecified region.
func diagnosticReportCodes() []obsDef {
	return []obsDef{
		{system: systemLOINC, code: "44139-4"},
		{system: systemLOINC, code: "44136-0"},
		{system: systemLOINC, code: "25045-6"},
		{system: systemLOINC, code: "25056-3"},
		{system: systemLOINC, code: "49118-3"},
	}
}

// vocab is the lookup table of Observation codes and drug names plus the
// options of one Mapper. The tables are shared, read-only and built once per
// process (sharedTables); only opts differs between Mappers.
type vocab struct {
	obs   map[string]obsDef
	names []drugName
	opts  Options
}

// tables holds the read-only lookup tables every Mapper shares.
type tables struct {
	obs   map[string]obsDef
	names []drugName
}

// sharedTables builds the tables on first use: building them on every
// Patient call cost a third of the allocations of a typical request. They
// are never written after construction, so concurrent readers are safe.
var sharedTables = sync.OnceValue(func() tables {
	defs := observationDefs()
	t := tables{obs: make(map[string]obsDef, len(defs)), names: drugNames()}
	for _, d := range defs {
		t.obs[d.system+"|"+d.code] = d
	}
	return t
})

// newVocab returns the shared tables with opts. The tumour-board codes are
// copied so that a caller changing its slice later cannot race with a
// Mapper in use.
func newVocab(opts Options) *vocab {
	t := sharedTables()
	opts.TumorBoardCodes = slices.Clone(opts.TumorBoardCodes)
	return &vocab{obs: t.obs, names: t.names, opts: opts}
}

// markerResult maps an answer code to a Result: LOINC LA6576-8/LA6577-6 and
// SNOMED 10828004/260385009 (CODES.md "Read both encodings"), SNOMED
// 280414007 equivocal, the ICHOM receptor-status finding codes, and the
// genomics answers (present/absent, clinical significance).
func markerResult(system, code string) logic.Result {
	switch system {
	case systemLOINC:
		switch code {
		case "LA6576-8", "LA6668-3", "LA26332-9":
			return logic.Positive
		case "LA6577-6", "LA26334-5", "LA6675-8", "LA9634-2":
			return logic.Negative
		case "LA26333-7":
			return logic.Equivocal
		}
	case systemSNOMED:
		switch code {
		case "10828004", "416053008", "416561008", "427685000", "412734009", "412738007":
			return logic.Positive
		case "260385009", "441118006", "431396003", "373572006", "445180002":
			return logic.Negative
		case "280414007":
			return logic.Equivocal
		}
	case systemInterpretation:
		switch code {
		case "POS":
			return logic.Positive
		case "NEG":
			return logic.Negative
		case "IND":
			return logic.Equivocal
		}
	}
	return logic.ResultUnknown
}

// textResult reads a result reported as a string: the plain words, and the
// FISH ratio text Synthea writes for 85318-4 ("greater than 2.2" HER2
// amplified, "less than 1.8" not amplified; MODULE.md §2b).
func textResult(s string) logic.Result {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "positive", "pos", "detected", "greater than 2.2":
		return logic.Positive
	case "negative", "neg", "not detected", "less than 1.8":
		return logic.Negative
	case "equivocal":
		return logic.Equivocal
	}
	return logic.ResultUnknown
}

// diseaseStatusOf maps a Cancer Disease Status value (mCODE
// ConditionStatusTrendVS and its max-VS extras; Synthea 88040-1 values).
func diseaseStatusOf(system, code string) logic.DiseaseStatus {
	if system != systemSNOMED {
		return logic.DiseaseStatusUnknown
	}
	switch code {
	case "268910001", "385633008", "550991000124107", "551001000124108", "103338009", "103337004":
		return logic.Improved
	case "359746009":
		return logic.Stable
	case "271299001", "230993007":
		return logic.Worsened
	case "709137006":
		return logic.Undetermined
	}
	return logic.DiseaseStatusUnknown
}

// ecogOf maps the ECOG LOINC answers LA9622-7 ... LA9627-6 to 0-5.
func ecogOf(system, code string) (int, bool) {
	if system != systemLOINC {
		return 0, false
	}
	switch code {
	case "LA9622-7":
		return 0, true
	case "LA9623-5":
		return 1, true
	case "LA9624-3":
		return 2, true
	case "LA9625-0":
		return 3, true
	case "LA9626-8":
		return 4, true
	case "LA9627-6":
		return 5, true
	}
	return 0, false
}
