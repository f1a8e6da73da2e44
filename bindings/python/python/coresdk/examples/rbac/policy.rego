# Role-based access control: OPA's documented RBAC example, in Rego v1 syntax.
# Data: user_roles (user -> roles) and role_grants (role -> allowed action/type pairs).
package rbac

default allow := false

# Admins may do anything.
allow if user_is_admin

# Anyone else needs a grant of one of their roles for this action on this type.
allow if {
	some grant in user_is_granted
	input.action == grant.action
	input.type == grant.type
}

user_is_admin if "admin" in data.user_roles[input.user]

user_is_granted contains grant if {
	some role in data.user_roles[input.user]
	some grant in data.role_grants[role]
}
