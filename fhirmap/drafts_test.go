package fhirmap

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"ombc-cds/logic"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// allOrders is every order the rule book suggests (logic/advice.go).
func allOrders() []logic.Order {
	return []logic.Order{
		{Kind: logic.ServiceRequest, Code: logic.OrderTumorBoard},
		{Kind: logic.ServiceRequest, Code: logic.OrderPETCT},
		{Kind: logic.ServiceRequest, Code: logic.OrderMetastasisBiopsy},
		{Kind: logic.ServiceRequest, Code: logic.OrderERTest},
		{Kind: logic.ServiceRequest, Code: logic.OrderPRTest},
		{Kind: logic.ServiceRequest, Code: logic.OrderHER2IHC},
		{Kind: logic.ServiceRequest, Code: logic.OrderHER2ISH},
		{Kind: logic.ServiceRequest, Code: logic.OrderGermlineBRCA},
		{Kind: logic.ServiceRequest, Code: logic.OrderPDL1},
		{Kind: logic.MedicationRequest, Code: logic.OrderDenosumab},
		{Kind: logic.MedicationRequest, Code: logic.OrderZoledronicAcid},
	}
}

func TestDraft(t *testing.T) {
	for _, o := range allOrders() {
		t.Run(string(o.Code), func(t *testing.T) {
			raw, err := Draft(o, "p1")
			if err != nil {
				t.Fatal(err)
			}
			checkR4Draft(t, raw, o.Kind)
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, raw, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "draft-"+string(o.Code)+".golden.json")
			if *update {
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("draft differs from %s:\ngot:\n%s\nwant:\n%s", golden, pretty.Bytes(), want)
			}
		})
	}
}

func TestDraftErrors(t *testing.T) {
	tests := []struct {
		name      string
		order     logic.Order
		patientID string
	}{
		{"unknown order code", logic.Order{Kind: logic.ServiceRequest, Code: "x-ray"}, "p1"},
		{"medication code as a service request", logic.Order{Kind: logic.ServiceRequest, Code: logic.OrderDenosumab}, "p1"},
		{"service code as a medication request", logic.Order{Kind: logic.MedicationRequest, Code: logic.OrderPETCT}, "p1"},
		{"unknown kind", logic.Order{Kind: 9, Code: logic.OrderPETCT}, "p1"},
		{"empty patient id", logic.Order{Kind: logic.ServiceRequest, Code: logic.OrderPETCT}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if raw, err := Draft(tt.order, tt.patientID); err == nil {
				t.Errorf("Draft() = %s, want an error", raw)
			}
		})
	}
}

// checkR4Draft checks the FHIR R4 rules a draft must satisfy: resourceType,
// status and intent from the R4 request-status and request-intent value
// sets, subject reference, a code (ServiceRequest.code) or a medication
// (MedicationRequest.medication[x], exactly one choice), and no empty
// objects, arrays, strings or nulls anywhere (FHIR R4 §2.6.2 JSON: "empty
// values are not allowed").
func checkR4Draft(t *testing.T, raw json.RawMessage, kind logic.OrderKind) {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("draft is not a JSON object: %v", err)
	}
	wantType := map[logic.OrderKind]string{logic.ServiceRequest: "ServiceRequest", logic.MedicationRequest: "MedicationRequest"}[kind]
	if doc["resourceType"] != wantType {
		t.Errorf("resourceType = %v, want %s", doc["resourceType"], wantType)
	}
	requestStatus := map[string]bool{"draft": true, "active": true, "on-hold": true, "revoked": true, "completed": true, "entered-in-error": true, "unknown": true}
	if s, _ := doc["status"].(string); !requestStatus[s] || s != "draft" {
		t.Errorf("status = %v, want draft (an R4 request-status code)", doc["status"])
	}
	requestIntent := map[string]bool{"proposal": true, "plan": true, "directive": true, "order": true, "original-order": true, "reflex-order": true, "filler-order": true, "instance-order": true, "option": true}
	if s, _ := doc["intent"].(string); !requestIntent[s] || s != "proposal" {
		t.Errorf("intent = %v, want proposal (an R4 request-intent code)", doc["intent"])
	}
	if subj, _ := doc["subject"].(map[string]any); subj["reference"] != "Patient/p1" {
		t.Errorf("subject = %v, want Patient/p1", doc["subject"])
	}
	switch kind {
	case logic.ServiceRequest:
		if !conceptOK(doc["code"]) {
			t.Errorf("code = %v, want a CodeableConcept with a coding or text", doc["code"])
		}
	case logic.MedicationRequest:
		_, ref := doc["medicationReference"]
		if ref || !conceptOK(doc["medicationCodeableConcept"]) {
			t.Errorf("medication[x] must be exactly one medicationCodeableConcept, got %v", doc)
		}
		dosage, _ := doc["dosageInstruction"].([]any)
		if len(dosage) != 1 {
			t.Errorf("dosageInstruction = %v, want one", doc["dosageInstruction"])
		}
	}
	if path := emptyValue("", doc); path != "" {
		t.Errorf("empty value at %s", path)
	}
}

func conceptOK(v any) bool {
	c, ok := v.(map[string]any)
	if !ok {
		return false
	}
	codings, _ := c["coding"].([]any)
	text, _ := c["text"].(string)
	for _, x := range codings {
		cd, _ := x.(map[string]any)
		if cd["system"] == nil || cd["code"] == nil {
			return false
		}
	}
	return len(codings) > 0 || text != ""
}

// emptyValue returns the path of the first null, empty string, empty object
// or empty array, or "".
func emptyValue(path string, v any) string {
	switch x := v.(type) {
	case nil:
		return path
	case string:
		if x == "" {
			return path
		}
	case map[string]any:
		if len(x) == 0 {
			return path
		}
		for k, e := range x {
			if p := emptyValue(path+"."+k, e); p != "" {
				return p
			}
		}
	case []any:
		if len(x) == 0 {
			return path
		}
		for i, e := range x {
			if p := emptyValue(fmt.Sprintf("%s[%d]", path, i), e); p != "" {
				return p
			}
		}
	}
	return ""
}

func TestEmptyValueCatchesEmpties(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean", `{"a":{"b":[1,"x"]}}`, ""},
		{"null", `{"a":null}`, ".a"},
		{"empty object", `{"a":{"b":{}}}`, ".a.b"},
		{"empty array", `{"a":[]}`, ".a"},
		{"empty string", `{"a":[{"b":""}]}`, ".a[0].b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
				t.Fatal(err)
			}
			if got := emptyValue("", v); got != tt.want {
				t.Errorf("emptyValue(%s) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
