/** The API's shapes this page reads, named once (all derived from the generated OpenAPI types). */
import type { paths } from '../../api/client';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

export type CampaignDetail = Json<paths['/v1/campaigns/{id}']['get']['responses'][200]>;
export type Campaign = CampaignDetail['campaign'];
export type Workflow = NonNullable<CampaignDetail['workflow']>;
export type LiveState = NonNullable<Workflow['state']>;

export type DeliveryList = Json<paths['/v1/campaigns/{id}/deliveries']['get']['responses'][200]>;
export type Delivery = DeliveryList['deliveries'][number];
export type DeliveryState = Delivery['state'];
export type ErrorCategory = NonNullable<Delivery['errorCategory']>;
export type Quota = DeliveryList['quota'];

export type ResendAnswer = Json<
  paths['/v1/campaigns/{id}/deliveries/resend']['post']['responses'][200]
>;

export type EntryList = Json<paths['/v1/campaigns/{id}/entries']['get']['responses'][200]>;
export type Entry = EntryList['entries'][number];
export type Outcome = Entry['outcome'];

export type Intervention = Json<
  paths['/v1/campaigns/{id}/interventions']['get']['responses'][200]
>['interventions'][number];

export type ClaimList = Json<paths['/v1/campaigns/{id}/claims']['get']['responses'][200]>;
export type Claim = ClaimList['claims'][number];

export type DrawJson = Json<paths['/c/{campaignId}/draw.json']['get']['responses'][200]>;

/** What every tab is given: the campaign as last polled, with its live state when there is one. */
export interface TabProps {
  id: string;
  detail: CampaignDetail;
  timeZone: string | undefined;
  reload: () => Promise<void>;
}

/** Whether the campaign's configuration asks winners to claim (or the workflow counts claims). */
export function hasClaims(detail: CampaignDetail): boolean {
  const config = detail.campaign.config as { claim?: unknown } | null;
  return (
    Boolean(config && typeof config === 'object' && config.claim) ||
    Boolean(detail.workflow?.state?.claims)
  );
}
