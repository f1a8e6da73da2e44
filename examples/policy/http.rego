# The policy every example service runs. Admins may do anything; others may read their
# own account; /health is public. The input document is described in docs/HTTP.md.
package http

default allow := false

allow if input.claims.role == "admin"

allow if {
	input.method == "GET"
	input.parsed_path == ["accounts", input.claims.sub]
}

allow if input.parsed_path == ["health"]
