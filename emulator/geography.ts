/** The emulator's own region → geography table (kept apart from the product's so a mistake in one shows in tests). */
const GEOGRAPHIES: Record<string, string[]> = {
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
  ],
  Europe: ['northeurope', 'westeurope'],
  'United Kingdom': ['uksouth', 'ukwest'],
  Germany: ['germanywestcentral', 'germanynorth'],
  Canada: ['canadacentral', 'canadaeast'],
  Japan: ['japaneast', 'japanwest'],
  Australia: ['australiaeast', 'australiasoutheast'],
  'Asia Pacific': ['eastasia', 'southeastasia'],
};

export function geographyOf(region: string): string {
  const r = region.toLowerCase().replace(/\s+/g, '');
  return Object.entries(GEOGRAPHIES).find(([, regions]) => regions.includes(r))?.[0] ?? `unknown:${r}`;
}
