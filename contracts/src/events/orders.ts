// Protective orders (KPI 6.1, 6.2) and the Domestic Violence Disclosure Scheme (KPI 6.3, 6.4).
import { z } from 'zod';
import { orderTypeTuple } from '../reference.ts';
import { opaqueRef } from '../primitives.ts';

export const orderType = z.enum(orderTypeTuple);

export const orderAppliedPayload = z.strictObject({ orderRef: opaqueRef, orderType, crimeRef: opaqueRef.optional() });
export const orderDecidedPayload = z.strictObject({ orderRef: opaqueRef, decision: z.enum(['granted', 'refused', 'withdrawn']) });
export const orderBreachedPayload = z.strictObject({ orderRef: opaqueRef });

export const dvdsAppliedPayload = z.strictObject({ applicationRef: opaqueRef, route: z.enum(['right-to-ask', 'right-to-know']) });
export const dvdsDecidedPayload = z.strictObject({ applicationRef: opaqueRef, disclosed: z.boolean() });
