// Package api holds the machine-readable contract of the Sesame auth API:
// [Spec] is openapi.yaml (OpenAPI 3.1), the form of auth-api.md that the
// server's routes and the authapi types are tested against.
package api

import _ "embed"

// Spec is the OpenAPI 3.1 document of the Sesame auth API, as YAML.
//
//go:embed openapi.yaml
var Spec []byte
