package main

import (
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/gorilla/mux"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/samply/golang-fhir-models/fhir-models/fhir"
	_ "modernc.org/sqlite"
)
