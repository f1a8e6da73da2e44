// The policy workloads of the comparison benchmarks: OPA's RBAC example with its
// documented input, an ABAC policy over a data document of 10,000 users, and a policy of
// 600 rules. Each input carries the decision every engine must return.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const example = join(dirname(fileURLToPath(import.meta.url)), '../../packages/coresdk/examples/rbac');

const rbac = {
  name: 'rbac',
  description: "OPA's RBAC example (3 users, 3 roles)",
  entrypoint: 'rbac/allow',
  policy: readFileSync(join(example, 'policy.rego'), 'utf8'),
  data: JSON.parse(readFileSync(join(example, 'data.json'), 'utf8')),
  inputs: [
    { input: { user: 'alice', action: 'read', object: 'id123', type: 'dog' }, expect: true },
    { input: { user: 'bob', action: 'update', type: 'cat' }, expect: true },
    { input: { user: 'eve', action: 'update', type: 'dog' }, expect: false },
  ],
};

const USERS = 10_000;
const REGIONS = ['eu', 'us', 'apac'];
const users = Object.fromEntries(
  Array.from({ length: USERS }, (_, i) => [
    `u${i}`,
    {
      department: `d${i % 12}`,
      clearance: i % 5,
      region: REGIONS[i % 3],
      suspended: i % 97 === 0,
      email: `user${i}@example.com`,
    },
  ]),
);

const abac = {
  name: 'abac',
  description: `attribute rules over a data document of ${USERS.toLocaleString('en-US')} users`,
  entrypoint: 'abac/allow',
  policy: `package abac

default allow := false

allow if {
	user := data.users[input.user]
	not user.suspended
	user.department == input.resource.department
	user.clearance >= input.resource.level
	user.region in input.resource.regions
}
`,
  data: { users },
  inputs: [
    { input: { user: 'u9998', resource: { department: 'd2', level: 2, regions: ['apac', 'eu'] } }, expect: true },
    { input: { user: 'u9797', resource: { department: 'd5', level: 1, regions: ['eu'] } }, expect: false },
    {
      input: { user: 'u4444', resource: { department: 'd4', level: 5, regions: ['eu', 'us', 'apac'] } },
      expect: false,
    },
  ],
};

const RULES = 600;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const rule = (i) => `allow if {
	input.method == "${METHODS[i % 4]}"
	input.path == "/svc/${i}/items"
	"role${i % 25}" in input.roles
}
`;

const large = {
  name: 'large',
  description: `${RULES} rules over method, path and roles`,
  entrypoint: 'large/allow',
  policy: `package large\n\ndefault allow := false\n\n${Array.from({ length: RULES }, (_, i) => rule(i)).join('\n')}`,
  data: {},
  inputs: [
    { input: { method: 'DELETE', path: '/svc/599/items', roles: ['role23', 'role24'] }, expect: true },
    { input: { method: 'GET', path: '/svc/300/items', roles: ['role1'] }, expect: false },
    { input: { method: 'POST', path: '/svc/17/items', roles: ['role17'] }, expect: true },
  ],
};

export const workloads = [rbac, abac, large];
for (const w of workloads) w.allData = { ...rbac.data, ...abac.data };
