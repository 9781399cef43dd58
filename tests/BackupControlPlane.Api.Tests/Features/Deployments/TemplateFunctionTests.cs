using BackupControlPlane.Api.Features.Deployments.Templates;
using static BackupControlPlane.Api.Tests.Features.Deployments.TemplateTestKit;

namespace BackupControlPlane.Api.Tests.Features.Deployments;

/// <summary>Each function family evaluated through a template output, against the values ARM documents.</summary>
public sealed class TemplateFunctionTests
{
    [Theory]
    // strings
    [InlineData("[concat('a', 'b', 'c')]", "\"abc\"")]
    [InlineData("[concat()]", "\"\"")]
    [InlineData("[[concat('a')]", "\"[concat('a')]\"")]
    [InlineData("[concat('a')", "\"[concat('a')\"")]
    [InlineData("[format('{0}-{1}-{2:D3}', 'x', 1, 7)]", "\"x-1-007\"")]
    [InlineData("[toLower('AbC')]", "\"abc\"")]
    [InlineData("[toUpper('AbC')]", "\"ABC\"")]
    [InlineData("[substring('hello', 1, 3)]", "\"ell\"")]
    [InlineData("[replace('a-b-c', '-', '')]", "\"abc\"")]
    [InlineData("[split('a,b;c', createArray(',', ';'))]", "[\"a\",\"b\",\"c\"]")]
    [InlineData("[join(createArray('a', 'b'), '/')]", "\"a/b\"")]
    [InlineData("[trim('  x ')]", "\"x\"")]
    [InlineData("[startsWith('Hello', 'he')]", "true")]
    [InlineData("[endsWith('Hello', 'LO')]", "true")]
    [InlineData("[contains('Hello', 'ell')]", "true")]
    [InlineData("[indexOf('Hello', 'L')]", "2")]
    [InlineData("[lastIndexOf('Hello', 'l')]", "3")]
    [InlineData("[length('Hello')]", "5")]
    [InlineData("[padLeft('7', 3, '0')]", "\"007\"")]
    [InlineData("[base64('hi')]", "\"aGk=\"")]
    [InlineData("[base64ToString('aGk=')]", "\"hi\"")]
    [InlineData("[uri('http://contoso.org/firstpath', 'myscript.sh')]", "\"http://contoso.org/myscript.sh\"")]
    [InlineData("[uriComponent('a b/c')]", "\"a%20b%2Fc\"")]
    [InlineData("[dataUri('Hello')]", "\"data:text/plain;charset=utf8;base64,SGVsbG8=\"")]
    [InlineData("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]", "\"Hello, World!\"")]
    [InlineData("[string(createObject('a', 1))]", "\"{\\\"a\\\":1}\"")]
    [InlineData("[string(true())]", "\"True\"")]
    [InlineData("[empty('')]", "true")]
    [InlineData("[first('abc')]", "\"a\"")]
    [InlineData("[last(createArray(1, 2, 3))]", "3")]
    [InlineData("['it''s']", "\"it's\"")]
    // arrays and objects
    [InlineData("[array('a')]", "[\"a\"]")]
    [InlineData("[concat(createArray(1, 2), createArray(3))]", "[1,2,3]")]
    [InlineData("[contains(createArray(1, 2), 2)]", "true")]
    [InlineData("[contains(createObject('Key', 1), 'key')]", "true")]
    [InlineData("[union(createArray(1, 2), createArray(2, 3))]", "[1,2,3]")]
    [InlineData("[union(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2), 'b', 3))]", "{\"a\":{\"x\":1,\"y\":2},\"b\":3}")]
    [InlineData("[intersection(createArray(1, 2, 3), createArray(2, 3, 4))]", "[2,3]")]
    [InlineData("[intersection(createObject('a', 1, 'b', 2), createObject('a', 1, 'b', 3))]", "{\"a\":1}")]
    [InlineData("[items(createObject('b', 2, 'a', 1))]", "[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":2}]")]
    [InlineData("[range(5, 3)]", "[5,6,7]")]
    [InlineData("[skip(createArray(1, 2, 3), 1)]", "[2,3]")]
    [InlineData("[take('abc', 2)]", "\"ab\"")]
    [InlineData("[min(createArray(4, 2, 9))]", "2")]
    [InlineData("[max(4, 2, 9)]", "9")]
    [InlineData("[json('{\"a\":[1,true]}').a[1]]", "true")]
    [InlineData("[null()]", "null")]
    [InlineData("[objectKeys(createObject('a', 1, 'b', 2))]", "[\"a\",\"b\"]")]
    [InlineData("[shallowMerge(createArray(createObject('a', createObject('x', 1)), createObject('a', createObject('y', 2))))]", "{\"a\":{\"y\":2}}")]
    [InlineData("[coalesce(null(), null(), 'c')]", "\"c\"")]
    [InlineData("[tryGet(createObject('a', createArray(1, 2)), 'a', 1)]", "2")]
    [InlineData("[tryGet(createObject('a', 1), 'missing')]", "null")]
    [InlineData("[createObject('a', 1).?missing]", "null")]
    [InlineData("[createObject('Name', 'x').name]", "\"x\"")]
    [InlineData("[createObject('a', 1)['a']]", "1")]
    [InlineData("[flatten(createArray(createArray(1), createArray(2, 3)))]", "[1,2,3]")]
    // logical and numeric
    [InlineData("[if(equals(1, 1), 'yes', frobnicate())]", "\"yes\"")]
    [InlineData("[and(true(), or(false(), true()), not(false()))]", "true")]
    [InlineData("[equals(createObject('a', createArray(1)), createObject('a', createArray(1)))]", "true")]
    [InlineData("[equals('a', 'A')]", "false")]
    [InlineData("[less(1, 2)]", "true")]
    [InlineData("[greaterOrEquals('b', 'a')]", "true")]
    [InlineData("[bool('true')]", "true")]
    [InlineData("[add(2, mul(3, 4))]", "14")]
    [InlineData("[sub(10, div(7, 2))]", "7")]
    [InlineData("[mod(7, 3)]", "1")]
    [InlineData("[int('42')]", "42")]
    [InlineData("[float('1.5')]", "1.5")]
    // dates
    [InlineData("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]", "\"4/7/2023 2:53:14 PM\"")]
    [InlineData("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT1H30M', 'yyyy-MM-ddTHH:mm:ssZ')]", "\"2020-04-07T13:23:14Z\"")]
    [InlineData("[dateTimeFromEpoch(1683040573)]", "\"2023-05-02T15:16:13Z\"")]
    [InlineData("[dateTimeToEpoch('2023-05-02T15:16:13Z')]", "1683040573")]
    // lambdas
    [InlineData("[filter(range(1, 6), lambda('n', equals(mod(lambdaVariables('n'), 2), 0)))]", "[2,4,6]")]
    [InlineData("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]", "[\"a0\",\"b1\"]")]
    [InlineData("[reduce(range(1, 4), 0, lambda('acc', 'n', add(lambdaVariables('acc'), lambdaVariables('n'))))]", "10")]
    [InlineData("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", "[1,2,3]")]
    [InlineData("[toObject(createArray('a', 'b'), lambda('k', toUpper(lambdaVariables('k'))))]", "{\"A\":\"a\",\"B\":\"b\"}")]
    [InlineData("[groupBy(createArray('ab', 'ac', 'bd'), lambda('s', first(lambdaVariables('s'))))]", "{\"a\":[\"ab\",\"ac\"],\"b\":[\"bd\"]}")]
    [InlineData("[mapValues(createObject('a', 1), lambda('v', mul(lambdaVariables('v'), 10)))]", "{\"a\":10}")]
    // deployment and resources
    [InlineData("[resourceGroup().name]", "\"rg1\"")]
    [InlineData("[subscription().subscriptionId]", "\"00000000-0000-0000-0000-000000000001\"")]
    [InlineData("[deployment().name]", "\"dep1\"")]
    [InlineData("[environment().name]", "\"AzureCloud\"")]
    [InlineData("[resourceId('Microsoft.Compute/virtualMachines', 'vm1')]", "\"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1\"")]
    [InlineData("[resourceId('other', 'Microsoft.RecoveryServices/vaults/backupPolicies', 'v', 'p')]", "\"/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/other/providers/Microsoft.RecoveryServices/vaults/v/backupPolicies/p\"")]
    [InlineData("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r1')]", "\"/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Authorization/roleDefinitions/r1\"")]
    [InlineData("[tenantResourceId('Microsoft.Authorization/policyDefinitions', 'p')]", "\"/providers/Microsoft.Authorization/policyDefinitions/p\"")]
    [InlineData("[extensionResourceId('/subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v', 'Microsoft.Authorization/locks', 'l')]", "\"/subscriptions/s/resourceGroups/g/providers/Microsoft.RecoveryServices/vaults/v/providers/Microsoft.Authorization/locks/l\"")]
    public void Functions_evaluate_as_ARM_documents(string expression, string expected) =>
        Assert.Equal(expected, Json(Eval(expression)));

    [Theory]
    [InlineData("aaa", "zavj67f3en4hc")]
    [InlineData("bbb", "w5eragfxe33cy")]
    [InlineData("zzz", "cryksdzzzawae")]
    public void UniqueString_matches_values_Azure_returned(string input, string expected) =>
        Assert.Equal(expected, Json(Eval($"[uniqueString('{input}')]")).Trim('"'));

    [Fact]
    public void UniqueString_and_guid_join_their_arguments_with_a_hyphen_as_Azure_does()
    {
        Assert.Equal("\"lghi7k5js7itq\"", Json(Eval("[uniqueString('xxx', 'yyy', 'zzz')]"))); // Azure's answer
        // RFC 4122 v5 in ARM's namespace 11fb06fb-712d-4ddd-98c7-e71bbd588830 over "a-b-c" (Python's uuid.uuid5 agrees)
        Assert.Equal("\"a98fa280-e03f-5afa-8d8e-92d0a9c201e8\"", Json(Eval("[guid('a', 'b', 'c')]")));
    }

    [Theory]
    [InlineData("[utcNow()]", "is not expected at this location")]
    [InlineData("[newGuid()]", "is not expected at this location")]
    [InlineData("[copyIndex()]", "The template function 'copyIndex' is not expected at this location")]
    [InlineData("[substring('abc', 2, 5)]", "Unable to evaluate template language function 'substring'")]
    [InlineData("[add(1)]", "function requires 2 argument(s) while 1 were provided")]
    [InlineData("[createObject('a', 1).b]", "The language expression property 'b' doesn't exist, available properties are 'a'")]
    [InlineData("[createArray(1)[3]]", "The language expression property array index '3' is out of bounds")]
    [InlineData("[providers('Microsoft.Compute')]", "not supported by the emulator")]
    [InlineData("[lambda('x', 1)]", "a lambda can only be an argument")]
    [InlineData("[concat('a']", "The language expression")]
    public void Misuse_is_an_InvalidTemplate_error_with_ARM_wording(string expression, string message)
    {
        var error = Assert.ThrowsAny<TemplateException>(() => Eval(expression));
        Assert.Equal("InvalidTemplate", error.Code);
        Assert.Contains(message, error.Message);
        Assert.Equal("resources[0].properties.v", error.Target);
    }

    [Fact]
    public void UtcNow_and_newGuid_work_in_parameter_defaults_from_the_deployment_clock()
    {
        var plan = Plan("""
            {"parameters":{"stamp":{"type":"string","defaultValue":"[utcNow('u')]"},"id":{"type":"string","defaultValue":"[newGuid()]"}}}
            """);
        Assert.Equal("\"2026-03-04 05:06:07Z\"", Json(plan.Parameters["stamp"]!["value"]));
        Assert.True(Guid.TryParse(plan.Parameters["id"]!["value"]!.GetValue<string>(), out _));
    }
}
