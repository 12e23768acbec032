package fhirsearch

import "ombc-cds/fhirmap"

// templates returns the service's real discovery prefetch templates, so
// these tests exercise exactly the queries EHRs are sent.
func templates() map[string]string { return fhirmap.Templates() }
