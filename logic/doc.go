// Package logic is the clinical heart of ombc-cds: the patient model, the
// classification of metastatic breast cancer and the rule book.
//
// It imports only the standard library; every function that depends on time
// takes now as a parameter; nothing here reads the clock, the network, the
// file system or the environment.
package logic
