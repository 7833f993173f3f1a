"""The deleted-user lifecycle driven by Microsoft's own Python Graph SDK (msgraph-sdk).

Usage: ROSTER_ORIGIN=http://127.0.0.1:8080 ROSTER_TOKEN=… python scenario.py
Needs a fresh Roster whose first verified domain is contoso.com. Prints one line per step
and ends with "graph-sdk: N passed, N failed"; exits non-zero if any step failed.
"""
import asyncio
import os
import sys

import httpx
from kiota_abstractions.authentication import (AccessTokenProvider, AllowedHostsValidator,
                                               BaseBearerTokenAuthenticationProvider)
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.directory.deleted_items.graph_user.graph_user_request_builder import GraphUserRequestBuilder
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.user import User
from msgraph_core import PageIterator

BASE, TOKEN = os.environ["ROSTER_ORIGIN"] + "/v1.0", os.environ["ROSTER_TOKEN"]
PASSWORD = "xWwvJ]6NMw+bWH-d"


class StaticToken(AccessTokenProvider):
    async def get_authorization_token(self, uri, additional_authentication_context=None):
        return TOKEN

    def get_allowed_hosts_validator(self):
        return AllowedHostsValidator([])


adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(StaticToken()))
adapter.base_url = BASE
client = GraphServiceClient(request_adapter=adapter)
results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok     " if condition else "FAILED ") + name + ("" if condition else f": {detail}"))


def new_user(alias):
    return User(account_enabled=True, display_name=f"SDK {alias}", mail_nickname=alias,
                user_principal_name=f"{alias}@contoso.com",
                password_profile=PasswordProfile(force_change_password_next_sign_in=True, password=PASSWORD))


async def odata_error(call):
    try:
        await call
    except ODataError as error:
        return error
    return None


async def main():
    created = [await client.users.post(new_user(f"sdk{n}")) for n in range(7)]
    check("create 7 users", all(u.id for u in created), created)
    for user in created:
        await client.users.by_user_id(user.id).delete()
    gone = await odata_error(client.users.by_user_id(created[0].id).get())
    check("a deleted user is 404 Request_ResourceNotFound as ODataError",
          gone is not None and gone.error.code == "Request_ResourceNotFound", gone)

    query = GraphUserRequestBuilder.GraphUserRequestBuilderGetQueryParameters(
        select=["id", "displayName", "userPrincipalName", "deletedDateTime"], top=3)
    page = await client.directory.deleted_items.graph_user.get(
        request_configuration=RequestConfiguration(query_parameters=query))
    pages, listed, current = 0, [], page
    while current is not None:
        pages += 1
        listed.extend(current.value)
        link = current.odata_next_link
        current = await client.directory.deleted_items.graph_user.with_url(link).get() if link else None
    check("list deleted users through 3 pages of 3, 3 and 1", pages == 3 and len(listed) == 7, (pages, len(listed)))
    iterated = []
    await PageIterator(page, adapter).iterate(lambda user: iterated.append(user) or True)
    check("PageIterator follows the absolute @odata.nextLink", len(iterated) == 7, len(iterated))
    check("deleted users carry deletedDateTime and the tombstone UPN",
          all(u.deleted_date_time is not None and u.user_principal_name.endswith("@contoso.com")
              and u.user_principal_name.startswith(u.id.replace("-", "")) for u in listed), listed[:1])

    item = await client.directory.deleted_items.by_directory_object_id(created[0].id).get()
    check("a deleted item comes back as a User", isinstance(item, User) and item.id == created[0].id, type(item))
    restored = await client.directory.deleted_items.by_directory_object_id(created[0].id).restore.post()
    check("restore with no body returns the user with its UPN",
          isinstance(restored, User) and restored.user_principal_name == "sdk0@contoso.com", restored)

    await client.users.post(new_user("sdk1"))
    conflict = await odata_error(client.directory.deleted_items.by_directory_object_id(created[1].id).restore.post())
    check("a UPN conflict is an ODataError Request_BadRequest",
          conflict is not None and conflict.response_status_code == 400 and conflict.error.code == "Request_BadRequest"
          and "userPrincipalName" in conflict.error.message, conflict)

    async with httpx.AsyncClient() as http:
        reply = await http.post(f"{BASE}/directory/deletedItems/{created[1].id}/restore",
                                json={"newUserPrincipalName": "sdk1.restored@contoso.com"},
                                headers={"Authorization": f"Bearer {TOKEN}"})
    check("restore with newUserPrincipalName resolves it",
          reply.status_code == 200 and reply.json()["userPrincipalName"] == "sdk1.restored@contoso.com", reply.text)

    await client.directory.deleted_items.by_directory_object_id(created[2].id).delete()
    purged = await odata_error(client.directory.deleted_items.by_directory_object_id(created[2].id).get())
    check("a purged user is gone for good", purged is not None and purged.error.code == "Request_ResourceNotFound", purged)

    users = await client.users.get()
    upns = sorted(u.user_principal_name for u in users.value)
    remaining = await client.directory.deleted_items.graph_user.get()
    check("final state: 3 active SDK users, 4 still deleted",
          upns == ["admin@contoso.com", "sdk0@contoso.com", "sdk1.restored@contoso.com", "sdk1@contoso.com"]
          and len(remaining.value) == 4, (upns, len(remaining.value)))


asyncio.run(main())
passed = sum(results)
print(f"graph-sdk: {passed} passed, {len(results) - passed} failed")
sys.exit(0 if passed == len(results) and results else 1)
