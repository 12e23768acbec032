package cdshooks

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// userTypes are the resource types patient-view allows in context.userId
// (hook library patient-view §Context; CONFORMANCE.md R-7).
func userTypes() []string {
	return []string{"Practitioner", "PractitionerRole", "Patient", "RelatedPerson"}
}

// validateRequest checks a decoded service call against the service's hook
// (CONFORMANCE.md ). Every failure is a 400: a 404 for a
// malformed body confused Epic's simulator (cqframework/cqf-ruler#598).
func validateRequest(req *Request, hook string) error {
	switch {
	case req.Hook == "":
		return errBadRequest("hook is required")
	case req.Hook != hook:
		return errBadRequest(fmt.Sprintf("hook %q does not match this service's hook %q", req.Hook, hook))
	case strings.TrimSpace(req.HookInstance) == "":
		return errBadRequest("hookInstance is required")
	case req.Context == nil:
		return errBadRequest("context is required and must be an object")
	}
	if err := validateFHIRAccess(req); err != nil {
		return err
	}
	if hook == patientView {
		return validatePatientViewContext(req.Context)
	}
	return nil
}

// patientView is the hook whose context this package validates; other hooks
// get the generic checks only.
const patientView = "patient-view"

// validateFHIRAccess checks fhirServer and fhirAuthorization. A
// missing `patient` is tolerated: the sandbox never sends it.
func validateFHIRAccess(req *Request) error {
	if req.FHIRServer != "" {
		u, err := url.Parse(req.FHIRServer)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errBadRequest("fhirServer must be an absolute http or https URL")
		}
	}
	a := req.FHIRAuthorization
	if a == nil {
		return nil
	}
	switch {
	case req.FHIRServer == "":
		// 3.0 invariant cds-r-1: fhirAuthorization requires fhirServer.
		return errBadRequest("fhirServer is required when fhirAuthorization is present")
	case a.AccessToken == "":
		return errBadRequest("fhirAuthorization.access_token is required")
	case !strings.EqualFold(a.TokenType, "Bearer"):
		return errBadRequest(`fhirAuthorization.token_type must be "Bearer"`)
	case a.ExpiresIn < 0:
		return errBadRequest("fhirAuthorization.expires_in must not be negative")
	}
	return nil
}

// validatePatientViewContext checks the patient-view context: userId and
// patientId are REQUIRED strings, encounterId an OPTIONAL string, and userId
// is [ResourceType]/[id] with one of the four user types.
func validatePatientViewContext(ctx map[string]json.RawMessage) error {
	userID, err := contextString(ctx, "userId", true)
	if err != nil {
		return err
	}
	if _, err := contextString(ctx, "patientId", true); err != nil {
		return err
	}
	if _, err := contextString(ctx, "encounterId", false); err != nil {
		return err
	}
	typ, id, ok := strings.Cut(userID, "/")
	if !ok || id == "" || strings.Contains(id, "/") || !slices.Contains(userTypes(), typ) {
		return errBadRequest("context.userId must be [ResourceType]/[id] with ResourceType Practitioner, PractitionerRole, Patient or RelatedPerson")
	}
	return nil
}

func contextString(ctx map[string]json.RawMessage, name string, required bool) (string, error) {
	raw, ok := ctx[name]
	if !ok || string(raw) == "null" {
		if required {
			return "", errBadRequest("context." + name + " is required")
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errBadRequest("context." + name + " must be a string")
	}
	if strings.TrimSpace(s) == "" {
		return "", errBadRequest("context." + name + " must not be empty")
	}
	return s, nil
}
