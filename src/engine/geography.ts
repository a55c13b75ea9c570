/**
 * Key backups restore only within one geography (Microsoft: "Key Vault security worlds and geographic boundaries"),
 * so the geography decides `blocked_cross_geography_key`. The directory reads it from ARM's locations
 * (`metadata.geography`); this region → geography table is only the fallback for a vault ARM gave none for.
 */
const GEOGRAPHIES: Record<string, readonly string[]> = {
  'United States': [
    'eastus',
    'eastus2',
    'westus',
    'westus2',
    'westus3',
    'centralus',
    'northcentralus',
    'southcentralus',
    'westcentralus',
    'eastusstg',
    'southcentralusstg',
  ],
  'US Government': ['usgovvirginia', 'usgovarizona', 'usgovtexas', 'usdodeast', 'usdodcentral'],
  Canada: ['canadacentral', 'canadaeast'],
  Brazil: ['brazilsouth', 'brazilsoutheast'],
  Mexico: ['mexicocentral'],
  Europe: ['northeurope', 'westeurope'],
  'United Kingdom': ['uksouth', 'ukwest'],
  France: ['francecentral', 'francesouth'],
  Germany: ['germanywestcentral', 'germanynorth'],
  Switzerland: ['switzerlandnorth', 'switzerlandwest'],
  Norway: ['norwayeast', 'norwaywest'],
  Sweden: ['swedencentral', 'swedensouth'],
  Poland: ['polandcentral'],
  Italy: ['italynorth'],
  Spain: ['spaincentral'],
  'Asia Pacific': ['eastasia', 'southeastasia'],
  Australia: ['australiaeast', 'australiasoutheast', 'australiacentral', 'australiacentral2'],
  Japan: ['japaneast', 'japanwest'],
  Korea: ['koreacentral', 'koreasouth'],
  India: ['centralindia', 'southindia', 'westindia', 'jioindiawest', 'jioindiacentral'],
  'United Arab Emirates': ['uaenorth', 'uaecentral'],
  'South Africa': ['southafricanorth', 'southafricawest'],
  Qatar: ['qatarcentral'],
  Israel: ['israelcentral'],
  China: ['chinaeast', 'chinaeast2', 'chinaeast3', 'chinanorth', 'chinanorth2', 'chinanorth3'],
};

const BY_REGION = new Map(
  Object.entries(GEOGRAPHIES).flatMap(([geo, regions]) => regions.map((r) => [r, geo] as const)),
);

/** The geography of a region; an unknown region is its own geography, so keys never cross on a guess. */
export function geographyOf(region: string): string {
  const r = region.toLowerCase().replace(/[\s-]/g, '');
  return BY_REGION.get(r) ?? `region:${r}`;
}

/** A vault's geography: ARM's when the directory read one, else the fallback table's for its region. */
export function geographyOfVault(v: { location: string; geography?: string }): string {
  return v.geography?.toLowerCase() ?? geographyOf(v.location).toLowerCase();
}
