export enum Shape { Classic, Vpc }
