package fhirmap

import (
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"ombc-cds/logic"
)

// stagingFromConcept reads a TNM category or stage group value from the first
// coding that is recognised: SNOMED AJCC qualifiers, the older SNOMED finding
// codes Synthea writes, the Synthea stage codes, or an AJCC code
// (http://cancerstaging.org, e.g. "cM1", "c4"); CODES.md "TNM staging".
func stagingFromConcept(kind logic.StagingKind, cc *fhir.CodeableConcept) (value, sub string, code logic.Code, ok bool) {
	for _, c := range codings(cc) {
		system, v := str(c.System), strings.TrimSpace(str(c.Code))
		switch system {
		case systemSNOMED:
			value, sub = snomedStaging(kind, v)
		case systemAJCC:
			value, sub = ajccStaging(kind, v)
		default:
			continue
		}
		if value != "" {
			return value, sub, toCode(c), true
		}
	}
	return "", "", displayCode(cc), false
}

// snomedStaging maps SNOMED staging values (CODES.md; MODULE.md §2b for the
// Synthea generations).
func snomedStaging(kind logic.StagingKind, code string) (value, sub string) {
	switch kind {
	case logic.StagingM:
		switch code {
		case "1229901006", "30893008":
			return "M0", ""
		case "1229903009", "1229916009", "55440008":
			return "M1", ""
		}
	case logic.StagingN:
		switch code {
		case "1229967007", "1229947003", "62455006":
			return "N0", ""
		case "1229973008", "1229951001", "53623008":
			return "N1", ""
		case "1229978004", "1229957002", "46059003":
			return "N2", ""
		case "1229984001", "1229962001", "5856006":
			return "N3", ""
		}
	case logic.StagingT:
		switch code {
		case "1228882005", "58790005":
			return "T0", ""
		case "1228889001", "23351008":
			return "T1", ""
		case "1228929004", "67673008":
			return "T2", ""
		case "1228938002", "14410001":
			return "T3", ""
		case "1228944003", "65565005":
			return "T4", ""
		}
	case logic.StagingGroup:
		switch code {
		case "258228008", "1222837003":
			return "IV", ""
		case "258215001":
			return "I", ""
		case "258219007":
			return "II", ""
		case "258224005":
			return "III", ""
		case "261634002", "1222724007":
			return "I", "IA"
		case "261635001", "1222728005":
			return "I", "IB"
		case "261614003", "1222766008":
			return "II", "IIA"
		case "261615002", "1222769001":
			return "II", "IIB"
		case "261638004", "1222802001":
			return "III", "IIIA"
		case "261639007", "1222805004":
			return "III", "IIIB"
		case "261640009", "1222806003":
			return "III", "IIIC"
		}
	}
	return "", ""
}

// ajccStaging parses AJCC codes: an optional c/p/yc/yp prefix, then "M1b",
// "N2", "T4a", or a stage group in Arabic or Roman numerals ("4", "IIA").
func ajccStaging(kind logic.StagingKind, code string) (value, sub string) {
	s := code
	for _, prefix := range []string{"yc", "yp", "c", "p"} {
		if strings.HasPrefix(s, prefix) {
			s = s[len(prefix):]
			break
		}
	}
	orig := strings.TrimSpace(s)
	s = strings.ToUpper(orig)
	if s == "" {
		return "", ""
	}
	var letter byte
	var max byte
	switch kind {
	case logic.StagingM:
		letter, max = 'M', '1'
	case logic.StagingN:
		letter, max = 'N', '3'
	case logic.StagingT:
		letter, max = 'T', '4'
	case logic.StagingGroup:
		return ajccGroup(s)
	default:
		return "", ""
	}
	if len(s) < 2 || s[0] != letter || s[1] < '0' || s[1] > max {
		return "", ""
	}
	value = s[:2]
	if len(s) > 2 {
		sub = string(letter) + orig[1:] // keep "M1b", as AJCC writes it
	}
	return value, sub
}

// ajccGroup parses a stage group ("4", "IV", "2A", "IIIB", "0").
func ajccGroup(s string) (value, sub string) {
	s = strings.TrimPrefix(s, "STAGE ")
	roman := map[string]string{"0": "0", "1": "I", "2": "II", "3": "III", "4": "IV"}
	var num, rest string
	switch {
	case strings.HasPrefix(s, "IV"):
		num, rest = "IV", s[2:]
	case strings.HasPrefix(s, "III"):
		num, rest = "III", s[3:]
	case strings.HasPrefix(s, "II"):
		num, rest = "II", s[2:]
	case strings.HasPrefix(s, "I"):
		num, rest = "I", s[1:]
	case len(s) > 0 && roman[s[:1]] != "":
		num, rest = roman[s[:1]], s[1:]
	default:
		return "", ""
	}
	if rest == "" {
		return num, ""
	}
	if len(rest) > 1 || rest[0] < 'A' || rest[0] > 'C' {
		return "", ""
	}
	return num, num + rest
}
