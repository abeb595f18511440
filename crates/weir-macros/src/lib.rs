//! Derive macros for Weir.

use proc_macro::TokenStream;
use quote::quote;
use syn::{DeriveInput, parse_macro_input};

/// Implements `weir::Data` for a type, so its values can flow between nodes.
///
/// The path to the trait defaults to `::weir::Data`; a crate that depends on `weir-core` alone
/// writes `#[data(crate = weir_core)]`.
#[proc_macro_derive(Data, attributes(data))]
pub fn derive_data(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let mut krate: syn::Path = syn::parse_quote!(::weir);
    for attribute in &input.attrs {
        if !attribute.path().is_ident("data") {
            continue;
        }
        let parsed = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("crate") {
                krate = meta.value()?.parse()?;
                Ok(())
            } else {
                Err(meta.error("expected `crate = path`"))
            }
        });
        if let Err(error) = parsed {
            return error.to_compile_error().into();
        }
    }
    let name = &input.ident;
    let mut generics = input.generics.clone();
    for parameter in generics.type_params_mut() {
        parameter.bounds.push(syn::parse_quote!(#krate::Data));
    }
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_generics #krate::Data for #name #type_generics #where_clause {}
    }
    .into()
}
