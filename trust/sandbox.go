package trust

// SandboxIssuer is the iss of the public CDS Hooks sandbox
// (cds-hooks/sandbox src/retrieve-data-helpers/jwt-generator.js;
// CONFORMANCE.md §3.1).
const SandboxIssuer = "https://sandbox.cds-hooks.org"

// SandboxJKU is the jku the sandbox puts in every token header. The
// development profile accepts it but never fetches it: the keys are pinned
// below (CONFORMANCE.md §3.1: "with the JWKS pinned out-of-band from the repo
// file. Never fetch the jku in prod").
const SandboxJKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"

// SandboxKeyID is the kid of the sandbox's ES384 signing key.
const SandboxKeyID = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"

// sandboxJWKS is the public half of the sandbox's signing key, as committed
// in cds-hooks/sandbox keys/jwk-keypair.json (the private member d dropped).
// Its private key is published in the same repository, so anyone can mint
// tokens it verifies: it is trusted only in the development profile
// (Options.Dev), never in production.
const sandboxJWKS = `{
  "keys": [
    {
      "kty": "EC",
      "use": "sig",
      "crv": "P-384",
      "kid": "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f",
      "x": "dw_JGR8nB2I6XveNxUOl2qk699ZPLM2nYI5STSdiEl9avAkrm3CkfYMbrrjr8laB",
      "y": "Sm3mLE-n1zYNla_aiE3cb3nZsL51RbC7ysw3q8aJLxGm-hx79RPMYpITDjp7kgzy",
      "alg": "ES384"
    }
  ]
}`

// sandboxIssuer is the issuer the development profile adds. Any http(s)
// FHIR server is allowed for it, since the sandbox lets its user pick one.
func sandboxIssuer() Issuer {
	return Issuer{
		Issuer:      SandboxIssuer,
		JWKS:        []byte(sandboxJWKS),
		JKUAllow:    []string{SandboxJKU},
		Algorithms:  []string{"ES384"},
		Development: true,
	}
}
