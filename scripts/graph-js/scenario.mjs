// The recycle bin driven by Microsoft's JavaScript Graph client (@microsoft/microsoft-graph-client).
// Usage: ROSTER_ORIGIN=http://127.0.0.1:8080 ROSTER_TOKEN=… node scenario.mjs
// Needs a fresh Roster whose first verified domain is contoso.com. Prints one line per
// step and ends with "graph-js: N passed, N failed"; exits non-zero if any step failed.
import { Client, HTTPMessageHandler, RetryHandler } from "@microsoft/microsoft-graph-client";

const origin = process.env.ROSTER_ORIGIN;
const token = process.env.ROSTER_TOKEN;
// The client's own AuthenticationHandler sends tokens only over https; on plain-http
// loopback this middleware sets the header instead, then hands over to the client's own
// retry and HTTP handlers.
class BearerToken {
  async execute(context) {
    context.options.headers = { ...(context.options.headers || {}), Authorization: `Bearer ${token}` };
    await this.next.execute(context);
  }
  setNext(next) {
    this.next = next;
  }
}
const bearer = new BearerToken();
const retry = new RetryHandler();
bearer.setNext(retry);
retry.setNext(new HTTPMessageHandler());
const client = Client.initWithMiddleware({ baseUrl: origin, defaultVersion: "v1.0", middleware: bearer });
const results = [];
function check(name, condition, detail = "") {
  results.push(Boolean(condition));
  console.log(`${condition ? "ok     " : "FAILED "}${name}${condition ? "" : ": " + JSON.stringify(detail)}`);
}
async function graphError(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return null;
}

const password = { forceChangePasswordNextSignIn: true, password: "xWwvJ]6NMw+bWH-d" };
const ids = [];
for (let n = 0; n < 5; n++) {
  const user = await client.api("/users").post({
    accountEnabled: true, displayName: `JS ${n}`, mailNickname: `js${n}`,
    userPrincipalName: `js${n}@contoso.com`, passwordProfile: password,
  });
  ids.push(user.id);
  await client.api(`/users/${user.id}`).delete();
}
check("create and delete 5 users", ids.length === 5);

// PageIterator treats an absolute nextLink as a URL only over https (elsewhere it prefixes
// the base again), so on plain-http loopback the link itself is checked instead.
const firstPage = await client.api("/directory/deletedItems/microsoft.graph.user").top(2).get();
const next = firstPage["@odata.nextLink"] || "";
check("a page of 2 deleted users with an absolute nextLink back to us",
  firstPage.value.length === 2 && next.startsWith(`${origin}/v1.0/directory/deletedItems/microsoft.graph.user?`), next);
const all = await client.api("/directory/deletedItems/graph.user").get();
check("the short cast lists all 5", all.value.length === 5 && all.value.every((u) => u.deletedDateTime), all.value.length);

const restored = await client.api(`/directory/deletedItems/${ids[0]}/restore`).post({});
check("restore with {} returns the user", restored.userPrincipalName === "js0@contoso.com", restored);

await client.api("/users").post({
  accountEnabled: true, displayName: "JS 1 again", mailNickname: "js1",
  userPrincipalName: "js1@contoso.com", passwordProfile: password,
});
const conflict = await graphError(() => client.api(`/directory/deletedItems/${ids[1]}/restore`).post({}));
check("a UPN conflict is a GraphError with code and request id",
  conflict && conflict.statusCode === 400 && conflict.code === "Request_BadRequest" && conflict.requestId,
  conflict && { statusCode: conflict.statusCode, code: conflict.code });

const missing = await graphError(() => client.api("/users/00000000-0000-0000-0000-000000000000").get());
check("a 404 is a GraphError Request_ResourceNotFound", missing && missing.statusCode === 404 && missing.code === "Request_ResourceNotFound",
  missing && { statusCode: missing.statusCode, code: missing.code });

const passed = results.filter(Boolean).length;
console.log(`graph-js: ${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length && results.length > 0 ? 0 : 1);
