// Original file: null


export interface ExecProcessResponse {
}

export interface ExecProcessResponse__Output {
}
