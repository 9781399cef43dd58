using BackupControlPlane.Api.Tests.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestCollectionOrderer("BackupControlPlane.Api.Tests.Infrastructure.FleetLastOrderer", "BackupControlPlane.Api.Tests")]

namespace BackupControlPlane.Api.Tests.Infrastructure;

/// <summary>The collection of the thousand-agent test: alone, after every other test (<see cref="FleetLastOrderer"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetLastCollection
{
    public const string Name = "Heavy: the thousand agents, alone and last";
}

/// <summary>
/// xunit's own order, with the thousand-agent fleet test moved to the very end: its VMs' keys are made at nice 19 on
/// the CPU every earlier test leaves idle (<see cref="FleetKeys"/>), so the later it starts, the fewer it makes itself.
/// Collections without parallelization run one after another in this order, after the parallel ones.
/// </summary>
public sealed class FleetLastOrderer : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        new DefaultTestCollectionOrderer().OrderTestCollections(testCollections)
            .OrderBy(c => c.DisplayName == FleetLastCollection.Name ? 1 : 0); // stable: everything else keeps its order
}
