/**
 * The emulator's own region table, served as ARM's `GET /subscriptions/{id}/locations` (Microsoft.Resources
 * 2022-12-01 shape). Kept apart from the product's fallback table so a mistake in one shows in tests. Geography and
 * geography group are ARM's `metadata.geography` / `metadata.geographyGroup` values for these regions; Key Vault's
 * backup blobs restore only within one geography.
 */
interface Region {
  name: string;
  displayName: string;
  geography: string;
  geographyGroup: string;
  physicalLocation: string;
  paired?: string;
}

const r = (
  name: string,
  displayName: string,
  geography: string,
  geographyGroup: string,
  physicalLocation: string,
  paired?: string,
): Region => ({ name, displayName, geography, geographyGroup, physicalLocation, ...(paired ? { paired } : {}) });

export const REGIONS: readonly Region[] = [
  r('eastus', 'East US', 'United States', 'US', 'Virginia', 'westus'),
  r('eastus2', 'East US 2', 'United States', 'US', 'Virginia', 'centralus'),
  r('westus', 'West US', 'United States', 'US', 'California', 'eastus'),
  r('westus2', 'West US 2', 'United States', 'US', 'Washington', 'westcentralus'),
  r('westus3', 'West US 3', 'United States', 'US', 'Phoenix', 'eastus'),
  r('centralus', 'Central US', 'United States', 'US', 'Iowa', 'eastus2'),
  r('northcentralus', 'North Central US', 'United States', 'US', 'Illinois', 'southcentralus'),
  r('southcentralus', 'South Central US', 'United States', 'US', 'Texas', 'northcentralus'),
  r('westcentralus', 'West Central US', 'United States', 'US', 'Wyoming', 'westus2'),
  r('northeurope', 'North Europe', 'Europe', 'Europe', 'Ireland', 'westeurope'),
  r('westeurope', 'West Europe', 'Europe', 'Europe', 'Netherlands', 'northeurope'),
  r('uksouth', 'UK South', 'United Kingdom', 'Europe', 'London', 'ukwest'),
  r('ukwest', 'UK West', 'United Kingdom', 'Europe', 'Cardiff', 'uksouth'),
  r('germanywestcentral', 'Germany West Central', 'Germany', 'Europe', 'Frankfurt', 'germanynorth'),
  r('germanynorth', 'Germany North', 'Germany', 'Europe', 'Berlin', 'germanywestcentral'),
  r('canadacentral', 'Canada Central', 'Canada', 'Canada', 'Toronto', 'canadaeast'),
  r('canadaeast', 'Canada East', 'Canada', 'Canada', 'Quebec', 'canadacentral'),
  r('japaneast', 'Japan East', 'Japan', 'Asia Pacific', 'Tokyo, Saitama', 'japanwest'),
  r('japanwest', 'Japan West', 'Japan', 'Asia Pacific', 'Osaka', 'japaneast'),
  r('australiaeast', 'Australia East', 'Australia', 'Asia Pacific', 'New South Wales', 'australiasoutheast'),
  r('australiasoutheast', 'Australia Southeast', 'Australia', 'Asia Pacific', 'Victoria', 'australiaeast'),
  r('eastasia', 'East Asia', 'Asia Pacific', 'Asia Pacific', 'Hong Kong', 'southeastasia'),
  r('southeastasia', 'Southeast Asia', 'Asia Pacific', 'Asia Pacific', 'Singapore', 'eastasia'),
  // Newer regions (the product's own fallback table does not know them).
  r('taiwannorth', 'Taiwan North', 'Taiwan', 'Asia Pacific', 'Taipei', 'taiwannorthwest'),
  r('taiwannorthwest', 'Taiwan Northwest', 'Taiwan', 'Asia Pacific', 'Taiwan', 'taiwannorth'),
  r('newzealandnorth', 'New Zealand North', 'New Zealand', 'Asia Pacific', 'Auckland'),
];

const BY_NAME = new Map(REGIONS.map((x) => [x.name, x]));

export function geographyOf(region: string): string {
  const name = region.toLowerCase().replace(/\s+/g, '');
  return BY_NAME.get(name)?.geography ?? `unknown:${name}`;
}

/** ARM's whole locations list for a subscription: the physical regions, and a logical one with no geography. */
export function locationsJson(subscriptionId: string) {
  return {
    value: [
      ...REGIONS.map((x) => locationJson(subscriptionId, x)),
      {
        id: `/subscriptions/${subscriptionId}/locations/unitedstates`,
        name: 'unitedstates',
        type: 'Region',
        displayName: 'United States',
        regionalDisplayName: 'United States',
        metadata: { regionType: 'Logical', regionCategory: 'Other' },
      },
    ],
  };
}

function locationJson(subscriptionId: string, x: Region) {
  const id = (name: string) => `/subscriptions/${subscriptionId}/locations/${name}`;
  return {
    id: id(x.name),
    name: x.name,
    type: 'Region',
    displayName: x.displayName,
    regionalDisplayName: `(${x.geographyGroup}) ${x.displayName}`,
    metadata: {
      regionType: 'Physical',
      regionCategory: 'Recommended',
      geography: x.geography,
      geographyGroup: x.geographyGroup,
      physicalLocation: x.physicalLocation,
      pairedRegion: x.paired ? [{ name: x.paired, id: id(x.paired) }] : [],
    },
  };
}
