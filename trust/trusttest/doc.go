// Package trusttest makes keys, JWK Sets and signed tokens for tests of
// package trust and of the HTTP handlers that use it, including deliberately
// broken tokens (alg none, HMAC signed with public key bytes, tampered
// payload or signature, missing claims).
//
// Import it only from _test.go files: its keys are generated per test and
// are worthless outside one.
package trusttest
