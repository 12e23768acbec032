package fhirmap

import "errors"

// ErrNoPatient means the prefetch holds no usable Patient resource at all.
// The caller answers 412: CDS Hooks 2.0 §Prefetch lets a service refuse a
// call whose required prefetch it cannot use.
var ErrNoPatient = errors.New("fhirmap: no usable Patient resource in the prefetch")

// ErrInvalid means a prefetch value is not a JSON object, null or Bundle at
// all, or the patient key holds a resource that is not a Patient. The caller
// answers 400 with the wrapped message.
var ErrInvalid = errors.New("fhirmap: invalid prefetch")
